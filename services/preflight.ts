// What every ulm process checks before it starts its features: the parts it needs answer (the
// database, RabbitMQ when transport_url is set, Nova's RabbitMQ for the listener), and the process
// layout can run what it accepts (a process that starts plans needs an applier on its bus).
import { silentLogger } from '../openstack/logger.js';
import { createBus, TransportUrlError } from './bus/index.js';
import type { Config } from './config/index.js';
import { openDatabaseFromConfig, schemaVersion } from './db/index.js';
import type { FeatureName } from './features.js';

/** A part the process needs is missing; the message is one line naming each part and its fix. */
export class PreflightFailed extends Error {
  override name = 'PreflightFailed';
}

export interface PreflightOptions {
  /** The process upgrades the schema itself (the SQLite default): a schema behind is no problem. */
  migrate?: boolean;
  /** How long RabbitMQ may take to accept the first connection, retrying with backoff. Default 30 s. */
  brokerTimeoutMs?: number;
}

export interface PreflightResult {
  /** Things that do not stop the process but that the operator must hear about at start. */
  warnings: string[];
}

const DEFAULT_BROKER_TIMEOUT_MS = 30_000;

/** Features that start action plans (the API on request, the scheduler at a window, the monitor's relief). */
const STARTS_PLANS: readonly FeatureName[] = ['api', 'scheduler', 'monitor'];

/**
 * What an operator must know about this list of features on this configuration, though nothing
 * is missing: an in-process bus carries jobs only to an applier in the same process.
 */
export function layoutWarnings(config: Config, features: readonly FeatureName[]): string[] {
  if (config.DEFAULT.transport_url.trim() || features.includes('applier')) return [];
  const starting = features.filter((feature) => STARTS_PLANS.includes(feature));
  if (!starting.length) return [];
  return [`plans cannot start in this process layout: ${starting.join(', ')} without an applier on the in-process bus ([DEFAULT] transport_url is empty), so a plan start is refused (409); `
    + 'run "ulm serve", or set [DEFAULT] transport_url to the RabbitMQ that ulm-applier uses'];
}

async function checkDatabase(config: Config, migrate: boolean): Promise<void> {
  // openDatabaseFromConfig honours [database] max_retries and retry_interval, and names the masked URL on failure.
  const database = await openDatabaseFromConfig(config);
  try {
    if (migrate) return;
    const version = await schemaVersion(database);
    if (version.pending.length) {
      throw new Error(`the database ${database.description} lacks ${version.pending.length} schema upgrade(s) (at ${version.current ?? 'none'}, this ulm needs ${version.latest}): run "ulm-manage db sync"`);
    }
  } finally {
    await database.close();
  }
}

async function checkBroker(url: string, option: string, timeoutMs: number): Promise<void> {
  try {
    const bus = await createBus(url, { logger: silentLogger(), firstConnectionTimeoutMs: timeoutMs, connectionName: 'ulm:preflight' });
    await bus.close();
  } catch (error) {
    if (error instanceof TransportUrlError) throw new Error(`${option}: ${error.message.replace(/^transport_url: /, '')}`, { cause: error });
    throw new Error(`${(error as Error).message.replace(/^no connection/, 'cannot connect')}; check ${option} and that RabbitMQ is running`, { cause: error });
  }
}

/**
 * Checks the parts the features need, all at once so that one run names every missing part.
 * Throws PreflightFailed; returns the warnings to show at start.
 */
export async function preflight(config: Config, features: readonly FeatureName[], options: PreflightOptions = {}): Promise<PreflightResult> {
  const timeoutMs = options.brokerTimeoutMs ?? DEFAULT_BROKER_TIMEOUT_MS;
  const checks: Array<Promise<void>> = [checkDatabase(config, options.migrate ?? false)];
  const busUrl = config.DEFAULT.transport_url.trim();
  if (busUrl) checks.push(checkBroker(busUrl, '[DEFAULT] transport_url', timeoutMs));
  const notificationsUrl = config.listener.transport_url.trim();
  // The listener reads Nova's notifications, from [DEFAULT] transport_url's broker unless told otherwise.
  if (features.includes('listener') && notificationsUrl && notificationsUrl !== busUrl) checks.push(checkBroker(notificationsUrl, '[listener] transport_url', timeoutMs));
  const problems = (await Promise.allSettled(checks))
    .flatMap((outcome) => (outcome.status === 'rejected' ? [oneLine((outcome.reason as Error).message ?? String(outcome.reason))] : []));
  if (problems.length) throw new PreflightFailed(`cannot start: ${problems.join('; and ')}`);
  return { warnings: layoutWarnings(config, features) };
}

/** Errors from drivers may span lines; the operator gets one. */
function oneLine(message: string): string {
  return message.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
}
