// Where every server is after each wave of a plan, from the "before" picture and the plan's
// actions: step 0 is before the plan, step k after wave k (waves counted from 1, as everywhere in
// the panel). Pure: no DOM, no clock, so the stepper's arithmetic is unit-tested on its own.

import type { ActionView, HostLoad, HostPicture, HostState } from '../api/records.js';

/** What the steps need of an action (the API's action view has more). */
export type StepAction = Pick<ActionView, 'wave' | 'type' | 'server' | 'server_name' | 'host' | 'destination' | 'state'> & { index?: number };

/** A host's allocation and use; null where a step's placement matches neither the before nor the after picture. */
export type StepLoad = Omit<HostLoad, 'servers'> | null;

export interface StepServer {
  name: string;
  /** Live-migrated onto this host by this step's wave. */
  moved: boolean;
  /** On a host that is not its final one in the plan: it moves again in a later wave. */
  temporary: boolean;
}

export interface StepHost {
  host: string;
  state: HostState;
  /** The plan changes this host at some wave (servers in or out, disabled). */
  changed: boolean;
  servers: StepServer[];
  load: StepLoad;
}

export interface TemporaryMove {
  server: string;
  /** Where it waits. */
  host: string;
  /** Where the plan takes it in the end. */
  destination: string;
  /** The wave (from 1) that takes it on. */
  movesAgainInWave: number;
}

export interface WaveStep {
  /** 0 before the plan, k after wave k. */
  wave: number;
  hosts: StepHost[];
  /** Servers live-migrated by this wave. */
  moved: string[];
  temporary: TemporaryMove[];
}

/** An action that has not ended otherwise: planned, running or verified (never skipped, failed or cancelled). */
const stillCounts = (action: StepAction) => action.state === 'PENDING' || action.state === 'ONGOING' || action.state === 'SUCCEEDED';

/** How the before picture and the actions name a server: its name, else its id. */
const serverKey = (action: StepAction) => action.server_name ?? action.server ?? '';

/** Both sorted. */
const sameServers = (left: readonly string[], right: readonly string[]) => left.length === right.length && left.every((name, index) => name === right[index]);

function loadOf(load: HostLoad): StepLoad {
  return { vcpu_allocation: load.vcpu_allocation, memory_allocation: load.memory_allocation, cpu_usage: load.cpu_usage, memory_usage: load.memory_usage };
}

/**
 * One step per wave and one before them. Waves without actions still get their step (the count
 * is the plan's, `waves`, when larger than its actions say). A live migration to a host that is
 * not in the picture is refused: the picture and the plan would not be of the same cloud.
 */
export function waveSteps(picture: readonly HostPicture[], actions: readonly StepAction[], waves = 0): WaveStep[] {
  const ordered = [...actions].sort((a, b) => a.wave - b.wave || (a.index ?? 0) - (b.index ?? 0));
  const migrations = ordered.filter((action) => action.type === 'live_migrate' && action.destination);
  const known = new Set(picture.map((host) => host.host));
  for (const move of migrations) {
    if (!known.has(move.destination!)) throw new Error(`action plan: live migration of ${serverKey(move)} goes to host ${JSON.stringify(move.destination)}, which is not in the plan's picture of the hosts`);
  }
  const count = Math.max(waves, ...ordered.map((action) => action.wave + 1), 0);

  const finalHost = new Map<string, string>();
  for (const move of migrations) finalHost.set(serverKey(move), move.destination!);
  const hostOf = new Map<string, string>();
  for (const host of picture) for (const server of host.before.servers) hostOf.set(server, host.host);
  const changed = new Set<string>();
  for (const move of migrations) {
    changed.add(move.destination!);
    const from = hostOf.get(serverKey(move)) ?? null;
    if (from) changed.add(from);
  }
  const disabledAt = new Map<string, number>();
  const poweredOffAt = new Map<string, number>();
  for (const action of ordered) {
    if (!action.host || !stillCounts(action)) continue;
    if (action.type === 'disable_compute') { disabledAt.set(action.host, action.wave); changed.add(action.host); }
    if (action.type === 'power_off') poweredOffAt.set(action.host, action.wave);
  }

  const sortedBefore = new Map(picture.map((host) => [host.host, [...host.before.servers].sort()]));
  const sortedAfter = new Map(picture.map((host) => [host.host, [...host.after.servers].sort()]));
  const steps: WaveStep[] = [];
  const placement = new Map(hostOf);
  /** Servers that have been moved at least once so far. */
  const movedSoFar = new Set<string>();
  for (let step = 0; step <= count; step++) {
    const wave = step - 1;
    const movedNow = new Set<string>();
    if (step > 0) {
      for (const move of migrations.filter((action) => action.wave === wave)) {
        const server = serverKey(move);
        placement.set(server, move.destination!);
        movedNow.add(server);
        movedSoFar.add(server);
      }
    }
    const temporary: TemporaryMove[] = [];
    const isTemporary = (server: string) => movedSoFar.has(server) && placement.get(server) !== finalHost.get(server);
    for (const server of [...movedSoFar].sort()) {
      if (!isTemporary(server)) continue;
      const next = migrations.find((move) => move.wave > wave && serverKey(move) === server);
      temporary.push({ server, host: placement.get(server)!, destination: finalHost.get(server)!, movesAgainInWave: (next?.wave ?? wave) + 1 });
    }
    const serversOn = new Map<string, string[]>(picture.map((host) => [host.host, []]));
    for (const [server, host] of placement) serversOn.get(host)?.push(server);
    steps.push({
      wave: step,
      moved: [...movedNow].sort(),
      temporary,
      hosts: picture.map((host) => {
        const names = serversOn.get(host.host)!.sort();
        const state: HostState = (poweredOffAt.get(host.host) ?? Infinity) <= wave ? 'powered_off'
          : (disabledAt.get(host.host) ?? Infinity) <= wave ? 'maintenance'
            : names.length ? 'active' : 'empty';
        return {
          host: host.host,
          state,
          changed: changed.has(host.host),
          servers: names.map((name) => ({ name, moved: movedNow.has(name), temporary: isTemporary(name) })),
          load: sameServers(names, sortedBefore.get(host.host)!) ? loadOf(host.before) : sameServers(names, sortedAfter.get(host.host)!) ? loadOf(host.after) : null,
        };
      }),
    });
  }
  return steps;
}
