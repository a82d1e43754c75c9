// `ulm snapshot save -o FILE`: collects the cloud (Nova, Placement, a usage datasource) into one
// `ulm-cluster/1` snapshot file, after the metrics preflight the policy asks for.
import { renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Policy } from '../../../core/policy/schema.js';
import { ValidationError } from '../../../core/validation.js';
import { connectCloud } from '../../../openstack/cloud.js';
import { describeCloud } from '../../../openstack/config.js';
import { AuthenticationError, CloudConfigError, EndpointNotFoundError, MicroversionError, OpenStackConnectionError, OpenStackHttpError } from '../../../openstack/errors.js';
import { createLogger } from '../../../openstack/logger.js';
import { createDatasource, DATASOURCES, DEFAULT_DATASOURCE } from '../../../plugins/datasources/index.js';
import { collectSnapshot, MissingMetricsError } from '../../../services/collect/collect.js';
import { cloudConfigAsking, type AuthOptions } from '../../auth.js';
import { ActivityLine } from '../../progress.js';
import { CommandFailure } from '../../errors.js';
import { readPolicyFile } from '../../files.js';
import { VERSION } from '../../../services/version.js';

interface SaveOptions extends AuthOptions {
  output: string;
  policy?: string;
  name?: string;
  datasource: string;
  datasourceOption: string[];
}

/** The policy embedded when none is given: consolidate, with every default (metrics.missing: refuse). */
const DEFAULT_POLICY: Policy = { goal: 'consolidate' };

function collectOption(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `KEY=VALUE` pairs into an options object; a pair without `=` is a usage error. */
export function parseDatasourceOptions(pairs: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  pairs.forEach((pair, index) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ValidationError('invalid option', [{ path: `--datasource-option[${index}]`, message: `"${pair}" is not KEY=VALUE, e.g. --datasource-option memory_metric=memory.resident` }]);
    options[pair.slice(0, at)] = pair.slice(at + 1);
  });
  return options;
}

export function registerSnapshotSave(snapshotCommand: Command): void {
  const save = snapshotCommand.command('save')
    .description('collect the cloud into a ulm-cluster/1 snapshot file (hosts, servers, server groups, observed usage)')
    .requiredOption('-o, --output <file>', 'where to write the snapshot ("-" for standard output)')
    .option('--policy <file>', 'policy (YAML or JSON) to embed; its metrics section sets statistic, window and what to do about missing metrics (default: goal consolidate, p95 over 60 min, refuse)')
    .option('--name <name>', 'a name for the snapshot')
    .option('--datasource <name>', `where observed usage comes from: ${DATASOURCES.map((plugin) => plugin.name).join(', ')}`, DEFAULT_DATASOURCE)
    .option('--datasource-option <key=value>', 'a datasource option (repeat for more), e.g. memory_metric=memory.resident', collectOption, []);
  save.addHelpText('after', `
Examples:
  ulm snapshot save --os-cloud mycloud -o cluster.json
  ulm snapshot save --os-cloud mycloud --policy night.yaml -o cluster.json
  source admin-openrc && ulm snapshot save -o - | jq '.hosts | length'
  ulm snapshot save --os-cloud mycloud --datasource-option host_metrics=false -o cluster.json

A server whose metadata (or a tag) says ulm:migratable=false is written with migratable false, as
is any server not ACTIVE or PAUSED or with a task in progress. Servers or hosts without fresh
metrics are listed in the snapshot's "metrics" field; with the policy's metrics.missing "refuse"
(the default) the command fails and lists them, with "use_allocations" those servers are planned
on their flavor.

Exit status: 0 saved, 1 the cloud or the metrics preflight refused, 2 bad options or settings.`);
  save.action(async (_options: SaveOptions, command: Command) => {
    // The OpenStack options are the program's: typed before or after the command.
    const options = command.optsWithGlobals<SaveOptions>();
    const config = await cloudConfigAsking(options);
    const policy = options.policy ? readPolicyFile(options.policy) : DEFAULT_POLICY;
    const datasourceOptions = parseDatasourceOptions(options.datasourceOption);
    const debug = Boolean(command.optsWithGlobals().debug);
    const logger = createLogger({ level: debug ? 'debug' : 'warn' });
    const started = Date.now();
    // A large cloud takes a while: on a terminal, say what is going on (never into the snapshot on stdout).
    const activity = new ActivityLine(`connecting to ${describeCloud(config)}`);
    try {
      const cloud = await connectCloud(config, { logger, userAgent: `ulm/${VERSION}` });
      activity.update('reading hypervisors, servers and allocations from Nova and Placement, usage from the datasource');
      const datasource = createDatasource(options.datasource, datasourceOptions, { session: cloud.session, logger });
      const result = await collectSnapshot({
        cloud, datasource, policy, now: Date.now(), logger,
        name: options.name,
        generator: { name: 'ulm snapshot save', version: VERSION, cloud: config.cloud ?? null, region: config.region_name ?? null, global_request_id: cloud.globalRequestId, nova_microversion: cloud.nova.version, placement_microversion: cloud.placement.version },
      });
      activity.stop();
      const text = `${JSON.stringify(result.snapshot, null, 2)}\n`;
      if (options.output === '-') process.stdout.write(text);
      else {
        // Written whole or not at all: a reader never sees half a snapshot.
        const temporary = `${options.output}.tmp-${process.pid}`;
        writeFileSync(temporary, text);
        renameSync(temporary, options.output);
      }
      const { snapshot, report } = result;
      const say = options.output === '-' ? process.stderr : process.stdout;
      const enabled = snapshot.hosts.filter((host) => host.enabled).length;
      say.write(`Saved ${options.output === '-' ? 'snapshot to standard output' : options.output}: ${snapshot.hosts.length} hosts (${enabled} enabled), ${snapshot.servers.length} servers, ${snapshot.server_groups?.length ?? 0} server groups; usage ${report.statistic} over ${report.window_minutes} min from ${report.datasource} (${((Date.now() - started) / 1000).toFixed(1)} s, ${describeCloud(config)})\n`);
      if (report.servers_without_fresh_metrics.length) {
        process.stderr.write(`warning: ${report.servers_without_fresh_metrics.length} server(s) without fresh metrics are planned on their allocations (metrics.missing: use_allocations): ${report.servers_without_fresh_metrics.map((server) => server.name || server.id).join(', ')}\n`);
      }
      if (report.hosts_without_fresh_metrics.length) {
        process.stderr.write(`warning: ${report.hosts_without_fresh_metrics.length} host(s) without fresh metrics: ${report.hosts_without_fresh_metrics.map((host) => host.name).join(', ')}\n`);
      }
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
    } catch (error) {
      throw asCommandError(error);
    } finally {
      activity.stop();
    }
  });
}

/** Cloud and preflight failures exit 1 with their message; settings found wrong on the way exit 2. */
function asCommandError(error: unknown): unknown {
  if (error instanceof CloudConfigError) return new ValidationError('invalid cloud configuration', [{ path: error.field, message: error.message.slice(error.field.length + 2) }]);
  if (error instanceof MissingMetricsError || error instanceof AuthenticationError || error instanceof OpenStackHttpError
    || error instanceof OpenStackConnectionError || error instanceof EndpointNotFoundError || error instanceof MicroversionError) {
    return new CommandFailure(error.message);
  }
  return error;
}
