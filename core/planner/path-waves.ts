// Groups a path of single live migrations (in order, each valid after the ones before it) into
// waves the applier starts together, keeping every wave valid as Nova and Placement see it: a
// destination holds what it had at the start of the wave plus every server arriving in the wave
// (a live migration keeps its source allocation until it completes), no anti-affinity member
// arrives where a member is at the start of the wave or where another one arrives in it, and the
// policy's max_parallel_migrations and max_parallel_per_host hold.
import { fitsCapacity } from '../capacity.js';
import type { Cluster } from '../cluster.js';
import type { PathMove } from './path-search.js';
import type { Schedule, ScheduledMove } from './waves.js';

/**
 * The path's moves as waves, in path order: a move joins the wave being built when it is valid
 * there; otherwise the wave closes and the move starts the next one. Moves only ever join the
 * wave of the moves just before them, so each server's moves and the room one move leaves for
 * another keep the path's order. `goal` says which moves are temporary (to a host other than
 * the server's goal host).
 */
export function pathWaves(cluster: Cluster, start: Int32Array, goal: Int32Array, path: PathMove[]): Schedule {
  const hosts = cluster.hostCount;
  const memory = new Float64Array(hosts);
  const vcpus = new Float64Array(hosts);
  const disk = new Float64Array(hosts);
  const members = new Map<number, number>();
  const antiAffinity = (server: number) => [...cluster.groupsOf(server)].filter((group) => cluster.groups[group].policy === 'anti-affinity');
  const shift = (server: number, host: number, sign: number) => {
    memory[host] += sign * cluster.flavorMemory[server];
    vcpus[host] += sign * cluster.flavorVcpus[server];
    disk[host] += sign * cluster.flavorDisk[server];
    for (const group of antiAffinity(server)) {
      const key = group * hosts + host;
      members.set(key, (members.get(key) ?? 0) + sign);
    }
  };
  for (let server = 0; server < cluster.serverCount; server++) shift(server, start[server], 1);

  const moves: ScheduledMove[] = [];
  let wave: PathMove[] = [];
  let waveNumber = 0;
  const incomingMemory = new Map<number, number>();
  const incomingVcpus = new Map<number, number>();
  const incomingDisk = new Map<number, number>();
  const perHost = new Map<number, number>();
  const arrivals = new Set<number>();
  const serversInWave = new Set<number>();

  const fits = (move: PathMove) => {
    const { server, source, destination } = move;
    if (serversInWave.has(server)) return false;
    if (wave.length >= cluster.policy.maxParallelMigrations) return false;
    const limit = cluster.policy.maxParallelPerHost;
    if ((perHost.get(source) ?? 0) >= limit || (perHost.get(destination) ?? 0) >= limit) return false;
    if (!fitsCapacity(memory[destination] + (incomingMemory.get(destination) ?? 0), cluster.flavorMemory[server], cluster.memoryCapacity[destination])) return false;
    if (!fitsCapacity(vcpus[destination] + (incomingVcpus.get(destination) ?? 0), cluster.flavorVcpus[server], cluster.vcpuCapacity[destination])) return false;
    if (!fitsCapacity(disk[destination] + (incomingDisk.get(destination) ?? 0), cluster.flavorDisk[server], cluster.diskCapacity[destination])) return false;
    for (const group of antiAffinity(server)) {
      const key = group * hosts + destination;
      if ((members.get(key) ?? 0) >= cluster.groups[group].maxPerHost || arrivals.has(key)) return false;
    }
    return true;
  };
  const add = (move: PathMove) => {
    const { server, source, destination } = move;
    wave.push(move);
    serversInWave.add(server);
    perHost.set(source, (perHost.get(source) ?? 0) + 1);
    perHost.set(destination, (perHost.get(destination) ?? 0) + 1);
    incomingMemory.set(destination, (incomingMemory.get(destination) ?? 0) + cluster.flavorMemory[server]);
    incomingVcpus.set(destination, (incomingVcpus.get(destination) ?? 0) + cluster.flavorVcpus[server]);
    incomingDisk.set(destination, (incomingDisk.get(destination) ?? 0) + cluster.flavorDisk[server]);
    for (const group of antiAffinity(server)) arrivals.add(group * hosts + destination);
  };
  const close = () => {
    for (const { server, source, destination } of wave) {
      shift(server, source, -1);
      shift(server, destination, 1);
    }
    for (const move of wave) {
      const temporary = move.destination !== goal[move.server];
      moves.push({ wave: waveNumber, ...move, temporary, forServer: temporary ? madeRoomFor(path, moves.length, move) : -1 });
    }
    waveNumber++;
    wave = [];
    for (const map of [incomingMemory, incomingVcpus, incomingDisk, perHost]) map.clear();
    arrivals.clear();
    serversInWave.clear();
  };
  for (const move of path) {
    // Valid after the moves before it, so valid alone at the start of the next wave.
    if (!fits(move)) close();
    add(move);
  }
  if (wave.length) close();
  return { moves, waveCount: waveNumber, stuck: [] };
}

/** The server a temporary move makes room for: the next one in the path to arrive where it left. */
function madeRoomFor(path: PathMove[], at: number, move: PathMove): number {
  for (let index = at + 1; index < path.length; index++) {
    if (path[index].destination === move.source && path[index].server !== move.server) return path[index].server;
  }
  return move.server;
}
