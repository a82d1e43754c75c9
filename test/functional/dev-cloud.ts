// What the functional tests need from the real loopback cloud (scripts/dev-cloud): where its
// settings are, how to run the built `ulm` against it, the independent witnesses of what
// happened (python-openstackclient, and Nova's API read with curl for the checks made most
// often), and the compute hosts it was started with.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { resolveCloudConfig, type CloudConfig } from '../../openstack/config.js';

/** The dev cloud's state dir (scripts/dev-cloud/lib: ULM_OS_STATE). */
export const STATE = process.env.ULM_OS_STATE ?? '/var/tmp/ulm-dev-cloud';
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLOUD = 'ulm-admin';

/** The environment that points OpenStack clients at the dev cloud through its clouds.yaml. */
export function cloudEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OS_CLIENT_CONFIG_FILE: `${STATE}/clouds.yaml`, OS_CLOUD: CLOUD, ...extra };
  // A developer's own openrc must not leak into the tests.
  for (const name of Object.keys(env)) if (name.startsWith('OS_') && !(name in extra) && name !== 'OS_CLIENT_CONFIG_FILE' && name !== 'OS_CLOUD') delete env[name];
  return env;
}

/** Fails the suite early, with the fix, when the cloud is not there. */
export function requireDevCloud(): void {
  if (!existsSync(`${STATE}/clouds.yaml`)) {
    throw new Error(`the dev cloud is not up (no ${STATE}/clouds.yaml): run bash scripts/functional, or bash scripts/dev-cloud/up && bash scripts/dev-cloud/seed`);
  }
  if (!existsSync(`${REPO}/dist/ulm/main.js`)) throw new Error('ulm is not built: run npm run build (scripts/functional does)');
}

/**
 * Pushes fresh Gnocchi measures (scripts/dev-cloud/metrics). `seed` pushed them when the run
 * started, but ulm calls measures older than 15 min stale and a functional run lasts longer:
 * suites that read metrics push again first.
 */
export function pushFreshMeasures(): void {
  const result = spawnSync('bash', [`${REPO}/scripts/dev-cloud/metrics`], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`scripts/dev-cloud/metrics failed: ${result.stderr}`);
}

export function devCloudConfig(): CloudConfig {
  return resolveCloudConfig({ cloud: CLOUD, env: cloudEnvironment() });
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `ulm` command, as an operator would. */
export function ulm(args: string[], env: NodeJS.ProcessEnv = cloudEnvironment()): Run {
  const result = spawnSync(process.execPath, [`${REPO}/bin/ulm`, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** python-openstackclient (Debian's /usr/bin/openstack) with `-f json`: an independent reading of the cloud. */
export function openstack<T = unknown>(args: string[]): T {
  const result = spawnSync('/usr/bin/openstack', [...args, '-f', 'json'], { env: cloudEnvironment(), encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`openstack ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A token of the dev cloud's admin and Nova's endpoint, for `novaGet`. */
let witness: { token: string; compute: string; expiresAt: number } | undefined;

function curl(args: string[]): string {
  const result = spawnSync('curl', ['-sS', '--fail-with-body', '--max-time', '120', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`curl ${args.filter((arg) => !arg.startsWith('{')).join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function witnessSession(): { token: string; compute: string } {
  if (witness && witness.expiresAt > Date.now() + 120_000) return witness;
  const { auth, region_name: region } = (parseYaml(readFileSync(`${STATE}/clouds.yaml`, 'utf8')) as { clouds: Record<string, { auth: Record<string, string>; region_name?: string }> }).clouds[CLOUD];
  const identity = auth.auth_url.replace(/\/+$/, '').replace(/(\/v3)?$/, '/v3');
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: auth.username, password: auth.password, domain: { name: auth.user_domain_name ?? 'Default' } } } },
      scope: { project: { name: auth.project_name, domain: { name: auth.project_domain_name ?? 'Default' } } },
    },
  };
  const answer = curl(['-i', '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body), `${identity}/auth/tokens`]);
  const [head, ...rest] = answer.split(/\r?\n\r?\n/);
  const token = /^x-subject-token:\s*(\S+)/im.exec(head)?.[1];
  const issued = JSON.parse(rest.join('\n\n')) as { token: { expires_at: string; catalog: { type: string; endpoints: { interface: string; region?: string; url: string }[] }[] } };
  const compute = issued.token.catalog.find((entry) => entry.type === 'compute')?.endpoints.find((endpoint) => endpoint.interface === 'public' && (!region || !endpoint.region || endpoint.region === region))?.url;
  if (!token || !compute) throw new Error(`Keystone gave no token or no compute endpoint for ${CLOUD}`);
  witness = { token, compute: compute.replace(/\/+$/, ''), expiresAt: Date.parse(issued.token.expires_at) };
  return witness;
}

/** GET of Nova's API (compute microversion 2.80) with curl: read apart from ulm's own clients. */
export function novaGet<T>(path: string): T {
  const { token, compute } = witnessSession();
  return JSON.parse(curl(['-H', `X-Auth-Token: ${token}`, '-H', 'OpenStack-API-Version: compute 2.80', `${compute}${path}`])) as T;
}

/** Nova's servers of every project: id, name, status, host and metadata, as `openstack server list --long` names them. */
export function serverList(): { ID: string; Name: string; Status: string; Host: string | null; Properties: Record<string, string> }[] {
  const { servers } = novaGet<{ servers: { id: string; name: string; status: string; 'OS-EXT-SRV-ATTR:host': string | null; metadata: Record<string, string> }[] }>('/servers/detail?all_tenants=1');
  return servers.map((server) => ({ ID: server.id, Name: server.name, Status: server.status, Host: server['OS-EXT-SRV-ATTR:host'], Properties: server.metadata }));
}

export function openstackAction(args: string[]): void {
  const result = spawnSync('/usr/bin/openstack', args, { env: cloudEnvironment(), encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`openstack ${args.join(' ')} failed: ${result.stderr}`);
}

export interface HostSize {
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
}

/** What `up` started the cloud with ($STATE/dev-cloud.env). */
function startedWith(): Record<string, string> {
  if (!existsSync(`${STATE}/dev-cloud.env`)) return {};
  return Object.fromEntries(readFileSync(`${STATE}/dev-cloud.env`, 'utf8').split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/**
 * ulm.conf [nova] max_concurrent_live_migrations as the dev cloud's nova-compute runs them (an
 * operator sets it like nova.conf); 1, Nova's default, for a cloud started before `up` recorded it.
 */
export function liveMigrationsPerHost(): number {
  return Number(startedWith().ULM_OS_MAX_CONCURRENT_LIVE_MIGRATIONS ?? 1);
}

/**
 * How often the dev cloud's computes resync Nova's scheduler (nova.conf
 * scheduler_instance_sync_interval); 0 for a cloud started before `up` recorded it.
 */
export function schedulerSyncSeconds(): number {
  return Number(startedWith().ULM_OS_SCHEDULER_SYNC_SECONDS ?? 0);
}

/**
 * ulm's options that follow the dev cloud's nova.conf, as an operator sets them: live migrations
 * out of one host as its nova-compute runs them, and "No valid host" tried again a few of the
 * scheduler's sync intervals (the default, 150 s, suits Nova's default of 120 s).
 */
export function devCloudOptions(): Record<string, Record<string, string>> {
  const sync = schedulerSyncSeconds();
  return {
    nova: { max_concurrent_live_migrations: String(liveMigrationsPerHost()) },
    ...(sync > 0 ? { applier: { no_valid_host_retry_seconds: String(Math.max(20, 4 * sync)) } } : {}),
  };
}

/** The same as ulm.conf sections. */
export function devCloudOptionsIni(): string {
  return Object.entries(devCloudOptions()).map(([section, options]) => `[${section}]\n${Object.entries(options).map(([name, value]) => `${name} = ${value}\n`).join('')}`).join('');
}

/** The compute hosts and sizes `up` started (written to $STATE/dev-cloud.env). */
export function seededHosts(): { sizes: Map<string, HostSize>; cpuRatio: number; ramRatio: number; diskRatio: number } {
  const env = startedWith();
  const count = Number(env.ULM_OS_COMPUTES);
  const listed = new Map((env.ULM_OS_HOST_SIZES ?? '').split(',').filter(Boolean).map((entry) => {
    const [name, size] = entry.split('=');
    const [vcpus, memory, disk] = size.split(':').map(Number);
    return [name, { vcpus, memory_mb: memory, disk_gb: disk }];
  }));
  const sizes = new Map<string, HostSize>();
  for (let index = 1; index <= count; index++) {
    const name = `cmp-${String(index).padStart(2, '0')}`;
    sizes.set(name, listed.get(name) ?? { vcpus: 16, memory_mb: 32768, disk_gb: 1000 });
  }
  return { sizes, cpuRatio: Number(env.ULM_OS_CPU_ALLOCATION_RATIO), ramRatio: Number(env.ULM_OS_RAM_ALLOCATION_RATIO), diskRatio: Number(env.ULM_OS_DISK_ALLOCATION_RATIO) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Server name -> seeded host, from seed.py's own definition of the layout (seed.layout) over the
 * hosts `up` started: what scripts/dev-cloud/reset must bring the cloud back to.
 */
export function seededLayout(): Map<string, string> {
  const hosts = [...seededHosts().sizes.keys()];
  const script = 'import json, sys; sys.path.insert(0, sys.argv[1]); import seed; print(json.dumps([[s["name"], s["host"]] for s in seed.layout(sys.argv[2:])]))';
  const result = spawnSync('/usr/bin/python3', ['-B', '-c', script, `${REPO}/scripts/dev-cloud`, ...hosts], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`seed.layout failed: ${result.stderr}`);
  return new Map(JSON.parse(result.stdout) as [string, string][]);
}

/** Runs scripts/dev-cloud/reset (the seeded layout back), as the test tiers do. */
export function resetDevCloud(): Run {
  const result = spawnSync('bash', [`${REPO}/scripts/dev-cloud/reset`], { encoding: 'utf8', timeout: 900_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
