// `ulm server show SERVER`: one server (by name or id) as ulm knows it: host, flavor, use,
// whether and when it may move (never-move, exemptions), server group, and its last live migration.
import type { Command } from 'commander';
import type { Engine } from '../../../core/api/engine.js';
import type { ServerView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { CommandFailure } from '../../errors.js';
import { renderOne, type OutputOptions, type Row } from '../../output.js';
import { describeExemption } from './list.js';

/** The server named or identified by `nameOrId`: an id wins; a name must be unique (as in openstack server show). */
export function findServer(servers: ServerView[], nameOrId: string): ServerView {
  const byId = servers.find((server) => server.id === nameOrId);
  if (byId) return byId;
  const named = servers.filter((server) => server.name === nameOrId);
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new CommandFailure(`more than one server is named "${nameOrId}" (${named.map((server) => server.id).join(', ')}): give its id`);
  throw new CommandFailure(`no server "${nameOrId}" in ulm's latest snapshot of the cloud (ulm server list shows them; ulm snapshot create collects a new one)`);
}

/** When the server last moved, as the latest snapshot has it (null when unknown). */
async function lastMigration(engine: Engine, serverId: string): Promise<string | null> {
  const [latest] = await engine.listSnapshots(1);
  if (!latest) return null;
  const snapshot = await engine.getSnapshot(latest.id);
  return snapshot.servers.find((server) => server.id === serverId)?.migrated_at ?? null;
}

export function serverRecord(server: ServerView, lastMigratedAt: string | null): Row {
  const neverMoves = !server.migratable || server.exemptions.some((exemption) => exemption.kind === 'never');
  return {
    id: server.id,
    name: server.name,
    host: server.host,
    flavor: server.flavor,
    vcpus: server.vcpus,
    memory_mb: server.memory_mb,
    cpu_usage: server.cpu_usage,
    memory_usage_mb: server.memory_usage_mb,
    migratable: server.migratable,
    never_move: neverMoves,
    exemptions: server.exemptions.map(describeExemption),
    server_group: server.server_group,
    last_migrated_at: lastMigratedAt,
  };
}

export function registerServerShow(server: Command): void {
  defineCommand(server, {
    name: 'show <server>',
    summary: 'show a server (name or id): host, flavor, use, never-move and exemptions, server group, last live migration',
    output: 'one',
    examples: [
      ['ulm server show db-01', 'for people'],
      ['ulm server show db-01 -f value -c host', 'the host it is on'],
      ['ulm server show 1f0c3b58-... -f json', 'as JSON'],
    ],
    details: 'From ulm\'s latest snapshot of the cloud; last_migrated_at is when Nova last live-migrated it (the cooldown counts from there).',
  }).action(async (nameOrId: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    const found = findServer(await engine.listServers(), nameOrId);
    print(renderOne(forFormat(serverRecord(found, await lastMigration(engine, found.id)), options), options));
  }));
}
