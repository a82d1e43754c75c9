// The shared benchmark's public instances and its generator (gen.mjs), for tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../core/snapshot/format.js';
import { readSnapshot } from '../../core/snapshot/read.js';
import { sharedDir } from './scorer.js';

/** Names of the stored instances whose file name ends with `suffix` (e.g. `-s.json`), sorted. */
export function benchInstanceNames(suffix: string): string[] {
  return readdirSync(join(sharedDir(), 'bench', 'instances')).filter((file) => file.endsWith(suffix)).sort();
}

export function benchInstance(file: string): Snapshot {
  return readSnapshot(JSON.parse(readFileSync(join(sharedDir(), 'bench', 'instances', file), 'utf8')));
}

export const GENERATOR_FAMILIES = [
  'uniform', 'heterogeneous', 'memory-bound', 'cpu-bound', 'anti-affinity', 'pinned',
  'fragmented', 'diurnal', 'drain', 'reach-target', 'hotspot',
] as const;

export interface GeneratorRequest {
  family: (typeof GENERATOR_FAMILIES)[number];
  hosts: number;
  servers: number;
  seed: number;
  /** `--spare-hosts K`: the policy's N+k. */
  spareHosts?: number;
}

/** `node gen.mjs --family F --hosts H --servers S --seed N [--spare-hosts K]`, or null when it refuses the size. */
export function generatedInstance({ family, hosts, servers, seed, spareHosts }: GeneratorRequest): Snapshot | null {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS;
  delete environment.NODE_EXTRA_CA_CERTS;
  const run = spawnSync(process.execPath, [
    join(sharedDir(), 'bench', 'gen.mjs'), '--family', family, '--hosts', String(hosts), '--servers', String(servers), '--seed', String(seed),
    ...(spareHosts ? ['--spare-hosts', String(spareHosts)] : []),
  ], { encoding: 'utf8', env: environment, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) return null;
  return readSnapshot(JSON.parse(run.stdout));
}
