// Finding records by what operators type: a window by id or name, a server by id or name (as
// python-openstackclient accepts either), with the list command to run when nothing matches.
import type { Engine } from '../core/api/engine.js';
import type { ServerView, WindowView } from '../core/api/records.js';
import { CommandFailure, EXIT_USAGE } from './errors.js';
import { note } from './command.js';

/** A window by id, or by name when that name is unique. */
export async function findWindow(engine: Engine, reference: string): Promise<WindowView> {
  const windows = await engine.listWindows();
  const byId = windows.find((window) => window.id === reference);
  if (byId) return byId;
  const named = windows.filter((window) => window.window.name === reference);
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    throw new CommandFailure(`${named.length} windows are named "${reference}" (policies ${named.map((window) => window.policy_name).join(', ')}): give the id (ulm window list)`, EXIT_USAGE);
  }
  // Not in the list: ask by id, so that the answer (and its request id) is the API's own.
  return engine.getWindow(reference);
}

/**
 * A server by id or unique name, from the latest snapshot. A server the snapshot does not know
 * (created since) is taken by id as given, with a warning.
 */
export async function findServer(engine: Engine, reference: string): Promise<{ id: string; name: string }> {
  const servers: ServerView[] = await engine.listServers();
  const byId = servers.find((server) => server.id === reference);
  if (byId) return byId;
  const named = servers.filter((server) => server.name === reference);
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    throw new CommandFailure(`${named.length} servers are named "${reference}" (${named.map((server) => server.id).join(', ')}): give the id`, EXIT_USAGE);
  }
  if (servers.length) {
    throw new CommandFailure(`server ${reference} not found in the latest snapshot; ulm server list lists them (ulm snapshot create refreshes it)`);
  }
  note(`warning: no snapshot yet, so "${reference}" is taken as a server id as given`);
  return { id: reference, name: reference };
}
