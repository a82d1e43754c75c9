// Power driver ipmi against a real BMC simulator: OpenIPMI's ipmi_sim on 127.0.0.1, started by scripts/ipmi-sim and stopped by its PID, driven by the real ipmitool.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PowerDriver } from '../../../core/power.js';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { freeUdpPort } from '../../support/ports.js';
import { capturedLogger, everythingShown, powerErrorOf } from '../../unit/power/support.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/ipmi-sim', import.meta.url));
const USER = 'ulm-test';
// A fresh password each run: the simulator's, never a real BMC's.
const PASSWORD = `Sim-${randomBytes(6).toString('hex')}`;
const confirmed = { verifiedEmptyAndDisabled: true } as const;

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { env: { PATH: `${process.env.PATH}:/usr/sbin:/usr/bin` } }).status === 0;
}


/** Every process's command line, as ps shows them, from /proc. */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

interface Simulator {
  port: number;
  pid: number;
  stop(): Promise<void>;
  chassisPower(): string;
  log(): string;
}

async function startSimulator(): Promise<Simulator> {
  const directory = mkdtempSync(join(tmpdir(), 'ulm-ipmi-sim-'));
  const port = await freeUdpPort();
  const logFile = join(directory, 'ipmi_sim.log');
  const log = openSync(logFile, 'a');
  // scripts/ipmi-sim execs ipmi_sim: this child's PID is the simulator's.
  const child: ChildProcess = spawn('bash', [SCRIPT, directory, String(port)], {
    env: { PATH: process.env.PATH ?? '', ULM_IPMI_SIM_USER: USER, ULM_IPMI_SIM_PASSWORD: PASSWORD, ULM_IPMI_SIM_POWER: 'on' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 5000); })]);
      clearTimeout(timer);
      if (!killed) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    }
    rmSync(directory, { recursive: true, force: true });
  };
  return {
    port, pid: child.pid ?? -1, stop,
    chassisPower: () => readFileSync(join(directory, 'power'), 'utf8').trim(),
    log: () => readFileSync(logFile, 'utf8'),
  };
}

describe('power driver ipmi against an OpenIPMI simulator', function () {
  this.timeout(60_000);
  let simulator: Simulator | undefined;
  let logs: ReturnType<typeof capturedLogger>;
  // cipher_suite 3: ipmi_sim does not answer "Get Channel Cipher Suites", and ipmitool, left to
  // choose, waits 10 s for that answer on every run.
  const driver = (options: Record<string, unknown> = {}): PowerDriver => createPowerDriver('ipmi', {
    hosts: { 'cmp-01': { address: '127.0.0.1', port: simulator?.port } }, username: USER, password: PASSWORD, cipher_suite: 3,
    timeout_seconds: 10, poll_interval_seconds: 0.2, retry_delay_seconds: 0.2, power_on_timeout_seconds: 20, power_off_timeout_seconds: 20, ...options,
  }, { logger: logs.logger });
  const host = { name: 'cmp-01' };

  before(async function () {
    const missing = ['ipmi_sim', 'ipmitool'].filter((command) => !installed(command));
    if (missing.length) {
      const reason = `${missing.join(' and ')} not installed: run bash scripts/power-tests, which installs Debian's openipmi and ipmitool`;
      if (process.env.ULM_TEST_REQUIRE_IPMI === '1') throw new Error(reason);
      process.stderr.write(`  ipmi simulator suite pending: ${reason}\n`);
      this.skip();
    }
    logs = capturedLogger();
    simulator = await startSimulator();
    // The simulator takes a moment to listen; ask until it answers.
    const started = Date.now();
    while (true) {
      try {
        await driver({ timeout_seconds: 2, retries: 0 }).powerState(host);
        break;
      } catch (error) {
        if (Date.now() - started > 15_000) throw new Error(`ipmi_sim did not answer within 15 s: ${(error as Error).message}\n${simulator.log()}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });

  after(async () => {
    await simulator?.stop();
  });

  beforeEach(() => { logs = capturedLogger(); });
  afterEach(() => {
    assert.doesNotMatch(logs.text(), new RegExp(PASSWORD), 'the password reached the log');
  });

  it('reads the chassis power state: on', async () => {
    assert.equal(await driver().powerState(host), 'on');
  });

  it('refuses to power off without the confirmation and leaves the chassis on', async () => {
    await powerErrorOf(driver().powerOff(host, {} as typeof confirmed), 'refused');
    assert.equal(simulator?.chassisPower(), '1');
  });

  it('powers off: the BMC then reports off', async () => {
    assert.deepEqual(await driver().powerOff(host, confirmed), { host: 'cmp-01', state: 'off', changed: true });
    assert.equal(await driver().powerState(host), 'off');
    assert.equal(simulator?.chassisPower(), '0');
  });

  it('powers on and waits until the BMC reports on', async () => {
    assert.deepEqual(await driver().powerOn(host), { host: 'cmp-01', state: 'on', changed: true });
    assert.equal(await driver().powerState(host), 'on');
    assert.deepEqual(await driver().powerOn(host), { host: 'cmp-01', state: 'on', changed: false });
  });

  it('works over IPMI 1.5 (lan) and with OPERATOR privilege', async () => {
    assert.equal(await driver({ interface: 'lan' }).powerState(host), 'on');
    assert.equal(await driver({ privilege_level: 'OPERATOR' }).powerState(host), 'on');
  });

  it('reports a wrong password as an authentication PowerError, without any password', async () => {
    const wrong = `Wrong-${randomBytes(4).toString('hex')}`;
    const error = await powerErrorOf(driver({ password: wrong }).powerState(host), 'authentication');
    assert.match(error.message, new RegExp(`power driver ipmi: cannot power state host cmp-01: the BMC at 127\\.0\\.0\\.1:${simulator?.port} refused user "${USER}" \\(.*(RAKP|unauthorized|Activate Session).*\\); check power\\.ipmi username and password`));
    assert.equal(error.host, 'cmp-01');
    assert.doesNotMatch(everythingShown(error), new RegExp(`${PASSWORD}|${wrong}`));
    assert.doesNotMatch(logs.text(), new RegExp(wrong));
  });

  it('reports an unknown user as an authentication PowerError', async () => {
    await powerErrorOf(driver({ username: 'nobody' }).powerState(host), 'authentication');
  });

  it('reports a BMC that does not answer as a timeout, after the retries', async () => {
    const silentPort = await freeUdpPort();
    const started = Date.now();
    const error = await powerErrorOf(driver({ hosts: { 'cmp-01': { address: '127.0.0.1', port: silentPort } }, timeout_seconds: 1.5, retries: 1 }).powerState(host), 'timeout');
    assert.match(error.message, new RegExp(`the BMC at 127\\.0\\.0\\.1:${silentPort} did not answer within 1\\.5 s`));
    assert.ok(error.transient);
    assert.ok(Date.now() - started < 10_000, 'the wait is bounded by timeout_seconds and retries');
    assert.match(logs.text(), /ipmitool failed; trying again/);
  });

  it('keeps the password off every command line while ipmitool runs', async () => {
    // While power state reads are under way, look at every process's command line (what ps
    // shows), until ipmitool has been caught running at least once.
    const seen: string[] = [];
    for (let round = 0; round < 10 && seen.length === 0; round += 1) {
      let done = false;
      const reading = driver().powerState(host).finally(() => { done = true; });
      while (!done) {
        seen.push(...commandLines().filter((line) => /^\S*ipmitool /.test(line)));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(await reading, 'on');
    }
    assert.ok(seen.length > 0, 'ipmitool was never caught running');
    assert.ok(seen.every((line) => !line.includes(PASSWORD)), 'the password showed on a command line');
    // The command line carries -E instead.
    assert.ok(seen.every((line) => line.includes(' -E ')));
  });
});
