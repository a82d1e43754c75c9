// A fake of the few Redfish endpoints the redfish driver uses (sessions, systems, ComputerSystem.Reset), on loopback, with switches for the failures to test.
import type { ServerResponse } from 'node:http';
import { sendJson, startHttpServer, type RecordedRequest, type TlsIdentity } from './support.js';

export interface FakeBmcState {
  powerState: string;
  /** GETs of the system before a reset shows; meanwhile PowerState is PoweringOn/PoweringOff. */
  transitionReads: number;
  /** A reset that never takes (a shutdown the OS ignores). */
  ignoreResetTypes: string[];
  allowedResetTypes: string[] | undefined;
  systems: string[];
  /** Answer every reset with this status and Redfish error message. */
  resetFailure?: { status: number; message: string };
  /** Send a Location for the session on another server. */
  sessionLocation?: string;
}

const error = (message: string) => ({ error: { code: 'Base.1.8.GeneralError', message: 'A general error has occurred.', '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.X', Message: message }] } });

export async function startFakeBmc(username: string, password: string, initial: Partial<FakeBmcState> = {}, tls?: TlsIdentity) {
  const state: FakeBmcState = { powerState: 'On', transitionReads: 0, ignoreResetTypes: [], allowedResetTypes: ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart'], systems: ['1'], ...initial };
  const sessions = new Map<string, string>();
  let pending: { target: string; reads: number } | undefined;
  let sessionCount = 0;
  const resets: string[] = [];

  const authorised = (request: RecordedRequest) => {
    const token = request.headers['x-auth-token'];
    if (typeof token === 'string' && [...sessions.values()].includes(token)) return true;
    return request.headers.authorization === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  };

  const handle = (request: RecordedRequest, response: ServerResponse) => {
    const path = request.path.split('?')[0];
    if (request.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
      const body = request.body as { UserName?: string; Password?: string };
      if (body?.UserName !== username || body?.Password !== password) return sendJson(response, 401, error(`Invalid username or password for ${String(body?.UserName)}.`));
      sessionCount += 1;
      const token = `token-${sessionCount}-0123456789abcdef`;
      sessions.set(String(sessionCount), token);
      return sendJson(response, 201, { Id: String(sessionCount) }, {
        'X-Auth-Token': token, Location: state.sessionLocation ?? `/redfish/v1/SessionService/Sessions/${sessionCount}`,
      });
    }
    if (!authorised(request)) return sendJson(response, 401, error('The request requires authentication.'));
    const session = /^\/redfish\/v1\/SessionService\/Sessions\/(\d+)$/.exec(path);
    if (request.method === 'DELETE' && session) {
      sessions.delete(session[1]);
      return sendJson(response, 204, undefined);
    }
    if (request.method === 'GET' && path === '/redfish/v1/Systems') {
      return sendJson(response, 200, { Members: state.systems.map((id) => ({ '@odata.id': `/redfish/v1/Systems/${id}` })), 'Members@odata.count': state.systems.length });
    }
    const system = /^\/redfish\/v1\/Systems\/([^/]+)(\/Actions\/ComputerSystem\.Reset)?$/.exec(path);
    if (!system || !state.systems.includes(decodeURIComponent(system[1]))) return sendJson(response, 404, error(`The resource at ${path} was not found.`));
    const id = system[1];
    if (request.method === 'GET' && !system[2]) {
      if (pending) {
        if (pending.reads <= 0) {
          state.powerState = pending.target;
          pending = undefined;
        } else {
          pending.reads -= 1;
        }
      }
      const reset: Record<string, unknown> = { target: `/redfish/v1/Systems/${id}/Actions/ComputerSystem.Reset` };
      if (state.allowedResetTypes) reset['ResetType@Redfish.AllowableValues'] = state.allowedResetTypes;
      const shown = pending ? (pending.target === 'On' ? 'PoweringOn' : 'PoweringOff') : state.powerState;
      return sendJson(response, 200, { '@odata.id': `/redfish/v1/Systems/${id}`, Id: id, PowerState: shown, Actions: { '#ComputerSystem.Reset': reset } });
    }
    if (request.method === 'POST' && system[2]) {
      const resetType = (request.body as { ResetType?: string })?.ResetType ?? '';
      resets.push(resetType);
      if (state.resetFailure) return sendJson(response, state.resetFailure.status, error(state.resetFailure.message));
      if (!['On', 'ForceOff', 'GracefulShutdown'].includes(resetType)) return sendJson(response, 400, error(`The value ${resetType} for ResetType is not supported.`));
      if (!state.ignoreResetTypes.includes(resetType)) pending = { target: resetType === 'On' ? 'On' : 'Off', reads: state.transitionReads };
      return sendJson(response, 204, undefined);
    }
    return sendJson(response, 405, error('Method not allowed.'));
  };

  const server = await startHttpServer(handle, tls);
  return { ...server, state, resets, openSessions: () => sessions.size };
}
