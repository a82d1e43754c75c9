// Power driver ipmi with a stand-in ipmitool: the command line it builds (no password on it), where the password goes, waits, retries and the errors it gives.
import assert from 'node:assert/strict';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { classifyIpmitoolFailure, ipmitoolArguments, parsePowerStatus } from '../../../plugins/power/ipmi/ipmitool.js';
import { fakeIpmitool, type FakeIpmitool } from './fake-ipmitool.js';
import { capturedLogger, everythingShown, powerErrorOf } from './support.js';

const PASSWORD = 'Ipmi-Secret-7781';
const confirmed = { verifiedEmptyAndDisabled: true } as const;

describe('power driver ipmi (stand-in ipmitool)', () => {
  let ipmitool: FakeIpmitool;
  let logs: ReturnType<typeof capturedLogger>;
  const driver = (options: Record<string, unknown> = {}) => createPowerDriver('ipmi', {
    address_template: '{host}-bmc.example.org', username: 'ulm', password: PASSWORD, ipmitool: ipmitool.command,
    poll_interval_seconds: 0.01, retry_delay_seconds: 0.01, ...options,
  }, { logger: logs.logger });

  beforeEach(() => { ipmitool = fakeIpmitool(); logs = capturedLogger(); });
  afterEach(() => {
    assert.doesNotMatch(logs.text(), new RegExp(PASSWORD), 'a password reached the log');
    ipmitool.remove();
  });

  it('asks the BMC named by the template, with -E and never the password on the command line', async () => {
    assert.equal(await driver().powerState({ name: 'cmp-01' }), 'on');
    assert.deepEqual(ipmitool.calls(), ['-I lanplus -H cmp-01-bmc.example.org -p 623 -U ulm -E -v chassis power status']);
    // The child's whole environment: the password for -E, and nothing else of ulm's.
    assert.deepEqual(ipmitool.lastEnvironment().filter((line) => !/^(PWD|SHLVL|_)=/.test(line)).map((line) => line.split('=')[0]), ['IPMI_PASSWORD', 'LC_ALL', 'PATH']);
    assert.ok(ipmitool.lastEnvironment().includes(`IPMI_PASSWORD=${PASSWORD}`));
  });

  it('takes a host\'s own address, port and user from the hosts map, and the call\'s settings over both', async () => {
    const ipmi = driver({ hosts: { 'cmp-02': { address: '10.0.0.12', port: 6230, username: 'other', password: 'Other-Secret-1' } }, interface: 'lan', privilege_level: 'OPERATOR', cipher_suite: 3 });
    await ipmi.powerState({ name: 'cmp-02' });
    await ipmi.powerState({ name: 'cmp-02', settings: { address: '10.9.9.9' } });
    assert.deepEqual(ipmitool.calls(), [
      '-I lan -H 10.0.0.12 -p 6230 -U other -E -L OPERATOR -C 3 -v chassis power status',
      '-I lan -H 10.9.9.9 -p 6230 -U other -E -L OPERATOR -C 3 -v chassis power status',
    ]);
    assert.ok(ipmitool.lastEnvironment().includes('IPMI_PASSWORD=Other-Secret-1'));
  });

  it('powers off with chassis power off, then reads status until off', async () => {
    ipmitool.setDelay(2);
    assert.deepEqual(await driver().powerOff({ name: 'cmp-01' }, confirmed), { host: 'cmp-01', state: 'off', changed: true });
    const calls = ipmitool.calls().map((call) => call.replace(/^.* chassis power /, ''));
    assert.deepEqual(calls, ['status', 'off', 'status', 'status', 'status']);
  });

  it('uses chassis power soft when asked to let the operating system stop cleanly', async () => {
    await driver({ power_off_command: 'soft' }).powerOff({ name: 'cmp-01' }, confirmed);
    assert.ok(ipmitool.calls().some((call) => call.endsWith('chassis power soft')));
  });

  it('leaves a host that is already off alone', async () => {
    ipmitool.setPower('off');
    assert.deepEqual(await driver().powerOff({ name: 'cmp-01' }, confirmed), { host: 'cmp-01', state: 'off', changed: false });
    assert.equal(ipmitool.calls().length, 1);
  });

  it('powers on and waits until the BMC reports on', async () => {
    ipmitool.setPower('off');
    ipmitool.setDelay(3);
    assert.deepEqual(await driver().powerOn({ name: 'cmp-01' }), { host: 'cmp-01', state: 'on', changed: true });
    assert.equal(ipmitool.power(), 'on');
  });

  it('gives up waiting for on after power_on_timeout_seconds', async () => {
    ipmitool.setPower('off');
    ipmitool.setDelay(1000);
    const error = await powerErrorOf(driver({ power_on_timeout_seconds: 0.1 }).powerOn({ name: 'cmp-01' }), 'timeout');
    assert.match(error.message, /power driver ipmi: cannot power on host cmp-01: still reported off instead of on after 0\.1 s/);
  });

  it('reports refused credentials as an authentication failure, at once and without the password', async () => {
    ipmitool.failWith(`> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session ${PASSWORD}\n`);
    const error = await powerErrorOf(driver({ retries: 3 }).powerState({ name: 'cmp-01' }), 'authentication');
    assert.match(error.message, /the BMC at cmp-01-bmc\.example\.org:623 refused user "ulm" \(RAKP 2 HMAC is invalid; .*\); check power\.ipmi username and password/);
    assert.equal(ipmitool.calls().length, 1, 'a refused password is not tried again (BMCs lock users out)');
    assert.doesNotMatch(everythingShown(error), new RegExp(PASSWORD));
  });

  it('tries again when the BMC does not answer, then reports a timeout', async () => {
    ipmitool.failWith('Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session\n');
    const error = await powerErrorOf(driver({ retries: 2 }).powerState({ name: 'cmp-01' }), 'timeout');
    assert.equal(ipmitool.calls().length, 3);
    assert.match(error.message, /the BMC at cmp-01-bmc\.example\.org:623 did not answer/);
    assert.ok(error.transient);
  });

  it('says how to install ipmitool when it is missing', async () => {
    const error = await powerErrorOf(driver({ ipmitool: 'ulm-test-no-such-ipmitool' }).powerState({ name: 'cmp-01' }), 'configuration');
    assert.match(error.message, /"ulm-test-no-such-ipmitool" was not found: install Debian's ipmitool \(apt-get install ipmitool\) or set power\.ipmi\.ipmitool/);
  });

  it('refuses a host name that could be read as an option', async () => {
    await powerErrorOf(driver().powerState({ name: '-Hevil' }), 'configuration');
    await powerErrorOf(driver().powerState({ name: 'cmp-01', settings: { address: '-Hevil' } }), 'configuration');
    assert.equal(ipmitool.calls().length, 0);
  });
});

describe('ipmitool output', () => {
  it('reads the chassis power status', () => {
    assert.equal(parsePowerStatus('Chassis Power is on\n'), 'on');
    assert.equal(parsePowerStatus('Chassis Power is off\n'), 'off');
    assert.equal(parsePowerStatus('something else\n'), 'unknown');
  });

  it('tells refused credentials from a BMC that does not answer', () => {
    const run = (stderr: string, more: object = {}) => ({ exitCode: 1, stdout: '', stderr, timedOut: false, ...more });
    assert.equal(classifyIpmitoolFailure(run('RAKP 2 message indicates an error : unauthorized name')), 'authentication');
    assert.equal(classifyIpmitoolFailure(run('Activate Session command failed\nError: Unable to establish LAN session')), 'authentication');
    assert.equal(classifyIpmitoolFailure(run('Get Auth Capabilities error')), 'timeout');
    assert.equal(classifyIpmitoolFailure(run('', { timedOut: true })), 'timeout');
    assert.equal(classifyIpmitoolFailure(run('Address lookup for nowhere failed')), 'unreachable');
    assert.equal(classifyIpmitoolFailure(run('Set Chassis Power Control to Down/Off failed: Invalid data field in request')), 'remote');
  });

  it('never puts a password among the arguments', () => {
    const args = ipmitoolArguments({ address: '10.0.0.1', port: 623, username: 'ulm', password: 'Never-On-Argv-1', interface: 'lanplus' }, 'off');
    assert.ok(args.includes('-E'));
    assert.ok(!args.includes('-P'));
    assert.doesNotMatch(args.join(' '), /Never-On-Argv-1/);
  });
});
