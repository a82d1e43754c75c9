// A client for one OpenStack service: endpoint from the catalog, X-Auth-Token from the session
// (authenticating again once when the service answers 401), and the negotiated microversion.
import type { HttpRequest, HttpResponse } from './http.js';
import type { KeystoneSession } from './keystone.js';
import { compareMicroversions, negotiateMicroversion, versionRangeOf, type MicroversionNeeds } from './microversion.js';
import { AuthenticationError, MicroversionError } from './errors.js';

export interface ServiceRequest {
  params?: HttpRequest['params'];
  data?: unknown;
  acceptStatus?: number[];
  idempotent?: boolean;
  hint?: HttpRequest['hint'];
}

export interface ServiceClientOptions {
  /** Human name for messages, e.g. "Nova". */
  name: string;
  /** The service type in the catalog: compute, placement, metric. */
  serviceType: string;
  /** The `OpenStack-API-Version` service name (compute, placement), for microversioned APIs. */
  microversionService?: string;
}

export class ServiceClient {
  readonly name: string;
  readonly serviceType: string;
  private microversion: string | undefined;
  private baseUrl: string | undefined;

  constructor(readonly session: KeystoneSession, private readonly options: ServiceClientOptions) {
    this.name = options.name;
    this.serviceType = options.serviceType;
  }

  async endpoint(): Promise<string> {
    this.baseUrl ??= await this.session.endpoint(this.serviceType);
    return this.baseUrl;
  }

  /** The microversion in use (after `negotiate`). */
  get version(): string | undefined {
    return this.microversion;
  }

  /** True when the negotiated microversion is at least `version`. */
  supports(version: string): boolean {
    return this.microversion !== undefined && compareMicroversions(this.microversion, version) >= 0;
  }

  /**
   * Reads the service's version document (at the versioned endpoint, or at the root for a list)
   * and fixes the microversion for every later request.
   */
  async negotiate(needs: MicroversionNeeds): Promise<string> {
    const endpoint = await this.endpoint();
    // Old catalogs carry the project id after Nova's version (…/v2.1/<project id>).
    const versionUrl = endpoint.replace(/(\/v2(?:\.1)?)\/[0-9a-f]{32}$/i, '$1');
    const response = await this.session.http.request({ method: 'GET', url: `${versionUrl}/`, service: this.serviceType, globalRequestId: this.session.globalRequestId, acceptStatus: [300] });
    const range = versionRangeOf(response.data);
    if (!range) throw new MicroversionError(`${this.name} at ${versionUrl} answered no version document with microversions; is it the ${this.serviceType} endpoint?`);
    this.microversion = negotiateMicroversion(range, needs, `${this.name} at ${versionUrl}`);
    return this.microversion;
  }

  async request<T = unknown>(method: HttpRequest['method'], path: string, options: ServiceRequest = {}): Promise<HttpResponse<T>> {
    const url = `${await this.endpoint()}${path}`;
    const send = async (token: string) => {
      const headers: Record<string, string> = { 'X-Auth-Token': token };
      if (this.microversion && this.options.microversionService) {
        headers['OpenStack-API-Version'] = `${this.options.microversionService} ${this.microversion}`;
      }
      return this.session.http.request<T>({
        method, url, headers, service: this.serviceType, globalRequestId: this.session.globalRequestId,
        params: options.params, data: options.data, idempotent: options.idempotent, hint: options.hint,
        acceptStatus: [...(options.acceptStatus ?? []), 401],
      });
    };
    const token = await this.session.authToken();
    let response = await send(token);
    if (response.status === 401) {
      // Revoked or expired early (Keystone restarted, keys rotated): authenticate again, once.
      this.session.invalidate(token);
      response = await send(await this.session.authToken());
      if (response.status === 401) {
        throw new AuthenticationError(`${this.name} refused a fresh token (HTTP 401) for ${method} ${url}${response.requestId ? ` (request id ${response.requestId})` : ''}; check that the user has a role on the project`);
      }
    }
    return response;
  }

  async get<T = unknown>(path: string, params?: HttpRequest['params'], options: ServiceRequest = {}): Promise<T> {
    return (await this.request<T>('GET', path, { ...options, params })).data;
  }
}
