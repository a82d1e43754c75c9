// What every datasource plugin receives: the cloud's Keystone session (endpoints, tokens) and a logger.
import type { KeystoneSession } from '../../openstack/keystone.js';
import type { Logger } from '../../openstack/logger.js';

export interface DatasourceContext {
  session: KeystoneSession;
  logger: Logger;
}
