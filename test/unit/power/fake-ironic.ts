// A fake of the few Ironic endpoints the ironic driver uses (GET /v1/nodes, GET /v1/nodes/{node}, PUT .../states/power), on loopback, with switches for the failures to test.
import type { ServerResponse } from 'node:http';
import { sendJson, startHttpServer, type RecordedRequest } from './support.js';

export interface FakeNode {
  uuid: string;
  name: string;
  power_state: string | null;
  target_power_state: string | null;
  last_error: string | null;
  instance_info: Record<string, unknown>;
}

export interface FakeIronicBehaviour {
  /** GETs of a node before a power change shows (target_power_state set meanwhile). */
  transitionReads: number;
  /** Answer this many power PUTs with 409 NodeLocked first. */
  lockedPuts: number;
  /** The conductor fails the power change with this last_error. */
  failWith?: string;
  /** Answer every request with this status and fault. */
  everything?: { status: number; faultstring: string };
}

// Ironic's error body: error_message is a JSON document in a string.
const fault = (faultstring: string) => ({ error_message: JSON.stringify({ faultstring, faultcode: 'Client', debuginfo: null }) });

export async function startFakeIronic(nodes: FakeNode[], validToken: () => string, initial: Partial<FakeIronicBehaviour> = {}) {
  const behaviour: FakeIronicBehaviour = { transitionReads: 0, lockedPuts: 0, ...initial };
  const pending = new Map<string, number>();
  let url = '';

  const find = (ident: string) => nodes.find((node) => node.uuid === ident || node.name === ident);

  const handle = (request: RecordedRequest, response: ServerResponse) => {
    if (request.headers['x-auth-token'] !== validToken()) return sendJson(response, 401, fault('The request you have made requires authentication.'));
    if (behaviour.everything) return sendJson(response, behaviour.everything.status, fault(behaviour.everything.faultstring));
    const [path, query = ''] = request.path.split('?');
    const parameters = new URLSearchParams(query);
    if (request.method === 'GET' && path === '/v1/nodes') {
      // Two nodes a page, with an absolute `next` link as Ironic gives.
      const start = parameters.get('marker') ? nodes.findIndex((node) => node.uuid === parameters.get('marker')) + 1 : 0;
      const page = nodes.slice(start, start + 2);
      const next = start + 2 < nodes.length ? `${url}/v1/nodes?fields=uuid,name,instance_info&limit=2&marker=${page[page.length - 1].uuid}` : undefined;
      return sendJson(response, 200, { nodes: page.map((node) => ({ uuid: node.uuid, name: node.name, instance_info: node.instance_info })), ...(next ? { next } : {}) });
    }
    const match = /^\/v1\/nodes\/([^/]+)(\/states\/power)?$/.exec(path);
    const node = match ? find(decodeURIComponent(match[1])) : undefined;
    if (!match || !node) return sendJson(response, 404, fault(`Node ${match?.[1] ?? '?'} could not be found.`));
    if (request.method === 'GET' && !match[2]) {
      const left = pending.get(node.uuid);
      if (left !== undefined) {
        if (left > 0) pending.set(node.uuid, left - 1);
        else {
          pending.delete(node.uuid);
          if (behaviour.failWith) node.last_error = behaviour.failWith;
          else node.power_state = node.target_power_state === 'soft power off' ? 'power off' : node.target_power_state;
          node.target_power_state = null;
        }
      }
      return sendJson(response, 200, { uuid: node.uuid, name: node.name, power_state: node.power_state, target_power_state: node.target_power_state, last_error: node.last_error });
    }
    if (request.method === 'PUT' && match[2]) {
      if (behaviour.lockedPuts > 0) {
        behaviour.lockedPuts -= 1;
        return sendJson(response, 409, fault(`Node ${node.uuid} is locked by host conductor-1, please retry after the current operation is completed.`));
      }
      const target = (request.body as { target?: string })?.target;
      if (!['power on', 'power off', 'soft power off'].includes(String(target))) return sendJson(response, 400, fault(`Invalid input for field/attribute target. Value: '${String(target)}'.`));
      node.target_power_state = String(target);
      node.last_error = null;
      pending.set(node.uuid, behaviour.transitionReads);
      response.writeHead(202);
      return response.end();
    }
    return sendJson(response, 405, fault('Method not allowed.'));
  };

  const server = await startHttpServer(handle);
  url = server.url;
  return { ...server, behaviour };
}

export function node(name: string, uuid: string, power: 'power on' | 'power off', instanceInfo: Record<string, unknown> = {}): FakeNode {
  return { uuid, name, power_state: power, target_power_state: null, last_error: null, instance_info: instanceInfo };
}
