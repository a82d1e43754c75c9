// Opens a cloud: one HTTP layer, one Keystone session, and the Nova and Placement clients with
// their microversions negotiated, sharing one global request id per operation.
import type { CloudConfig } from './config.js';
import { HttpClient, newRequestId } from './http.js';
import { KeystoneSession } from './keystone.js';
import type { Logger } from './logger.js';
import { openNova, type NovaClient } from './nova/client.js';
import { openPlacement, type PlacementClient } from './placement.js';
import type { RetryPolicy } from './retry.js';

export interface Cloud {
  config: CloudConfig;
  session: KeystoneSession;
  nova: NovaClient;
  placement: PlacementClient;
  /** The X-OpenStack-Request-ID every request of this operation carries. */
  globalRequestId: string;
}

export interface ConnectOptions {
  logger?: Logger;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  globalRequestId?: string;
}

export async function connectCloud(config: CloudConfig, options: ConnectOptions = {}): Promise<Cloud> {
  const services = Object.fromEntries(Object.entries(config.services ?? {}).map(([type, settings]) => [type, { timeoutMs: settings.timeout_ms, tls: settings.tls }]));
  const http = new HttpClient({ logger: options.logger, tls: config.tls, timeoutMs: config.api_timeout_ms, services, userAgent: options.userAgent, retry: options.retry });
  const globalRequestId = options.globalRequestId ?? newRequestId();
  const session = new KeystoneSession(config, http, { globalRequestId });
  const [nova, placement] = await Promise.all([openNova(session), openPlacement(session)]);
  return { config, session, nova, placement, globalRequestId };
}
