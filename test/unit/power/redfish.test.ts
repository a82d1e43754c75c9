// Power driver redfish against a fake BMC on loopback: requests, sessions, waits, errors mapped to PowerErrors with the BMC's message, and no secret anywhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { startFakeBmc } from './fake-redfish.js';
import { capturedLogger, everythingShown, powerErrorOf } from './support.js';

const PASSWORD = 'Redfish-Secret-4412';
const confirmed = { verifiedEmptyAndDisabled: true } as const;

describe('power driver redfish (fake BMC)', () => {
  let bmc: Awaited<ReturnType<typeof startFakeBmc>>;
  let logs: ReturnType<typeof capturedLogger>;
  const driver = (options: Record<string, unknown> = {}) => createPowerDriver('redfish', {
    hosts: { 'cmp-01': { url: bmc.url } }, username: 'ulm', password: PASSWORD,
    poll_interval_seconds: 0.01, retry_delay_seconds: 0.01, request_timeout_seconds: 2, ...options,
  }, { logger: logs.logger });
  const host = { name: 'cmp-01' };
  const requests = () => bmc.requests.map((request) => `${request.method} ${request.path}`);

  beforeEach(() => { logs = capturedLogger(); });
  afterEach(async () => {
    assert.doesNotMatch(logs.text(), new RegExp(`${PASSWORD}|token-\\d+-0123456789abcdef`), 'a secret reached the log');
    await bmc?.close();
  });

  it('reads PowerState in a session it logs out of', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD);
    assert.equal(await driver().powerState(host), 'on');
    assert.deepEqual(requests(), [
      'POST /redfish/v1/SessionService/Sessions', 'GET /redfish/v1/Systems', 'GET /redfish/v1/Systems/1', 'DELETE /redfish/v1/SessionService/Sessions/1',
    ]);
    assert.deepEqual(bmc.requests[0].body, { UserName: 'ulm', Password: PASSWORD });
    assert.equal(bmc.requests[1].headers['x-auth-token'], 'token-1-0123456789abcdef');
    assert.equal(bmc.openSessions(), 0);
  });

  it('powers off with GracefulShutdown and polls until Off', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { transitionReads: 3 });
    assert.deepEqual(await driver({ system_id: '1' }).powerOff(host, confirmed), { host: 'cmp-01', state: 'off', changed: true });
    assert.deepEqual(bmc.resets, ['GracefulShutdown']);
    const reset = bmc.requests.find((request) => request.method === 'POST' && request.path.endsWith('ComputerSystem.Reset'));
    assert.deepEqual(reset?.body, { ResetType: 'GracefulShutdown' });
    // Before the reset one read, after it: PoweringOff three times, then Off.
    assert.equal(requests().filter((line) => line === 'GET /redfish/v1/Systems/1').length, 5);
    assert.equal(bmc.state.powerState, 'Off');
  });

  it('powers on and waits until On', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { powerState: 'Off', transitionReads: 2 });
    assert.deepEqual(await driver().powerOn(host), { host: 'cmp-01', state: 'on', changed: true });
    assert.deepEqual(bmc.resets, ['On']);
  });

  it('does nothing to a host already in the wanted state', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { powerState: 'Off' });
    assert.deepEqual(await driver().powerOff(host, confirmed), { host: 'cmp-01', state: 'off', changed: false });
    assert.deepEqual(bmc.resets, []);
  });

  it('uses basic authentication when asked, without a session', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { powerState: 'Off' });
    assert.equal(await driver({ authentication: 'basic', system_id: '1' }).powerState(host), 'off');
    assert.deepEqual(requests(), ['GET /redfish/v1/Systems/1']);
    assert.match(String(bmc.requests[0].headers.authorization), /^Basic /);
  });

  it('forces the host off when a graceful shutdown does not, if allowed to', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { ignoreResetTypes: ['GracefulShutdown'] });
    const error = await powerErrorOf(driver({ power_off_timeout_seconds: 0.05 }).powerOff(host, confirmed), 'timeout');
    assert.match(error.message, /still reported on instead of off after 0\.05 s; the operating system did not shut down/);
    assert.deepEqual(bmc.resets, ['GracefulShutdown']);
    await bmc.close();
    bmc = await startFakeBmc('ulm', PASSWORD, { ignoreResetTypes: ['GracefulShutdown'] });
    assert.equal((await driver({ power_off_timeout_seconds: 0.05, force_off_after_timeout: true }).powerOff(host, confirmed)).state, 'off');
    assert.deepEqual(bmc.resets, ['GracefulShutdown', 'ForceOff']);
  });

  it('gives up waiting for On after power_on_timeout_seconds', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { powerState: 'Off', transitionReads: 10_000 });
    const error = await powerErrorOf(driver({ power_on_timeout_seconds: 0.1 }).powerOn(host), 'timeout');
    assert.match(error.message, /cannot power on host cmp-01: still reported unknown instead of on after 0\.1 s/);
  });

  it('refuses a ResetType the BMC does not offer, naming the option', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { allowedResetTypes: ['On', 'ForceOff'] });
    const error = await powerErrorOf(driver().powerOff(host, confirmed), 'configuration');
    assert.match(error.message, /the BMC does not accept ResetType GracefulShutdown \(it accepts On, ForceOff\); set power\.redfish\.power_off_reset_type/);
    assert.deepEqual(bmc.resets, []);
  });

  it('maps refused credentials to an authentication failure with the BMC\'s message', async () => {
    bmc = await startFakeBmc('ulm', 'another-password');
    const error = await powerErrorOf(driver().powerState(host), 'authentication');
    assert.match(error.message, /logging in \(POST \/redfish\/v1\/SessionService\/Sessions\) was refused with HTTP 401: A general error has occurred\. Invalid username or password for ulm\.; check power\.redfish username and password/);
    assert.doesNotMatch(everythingShown(error), new RegExp(PASSWORD));
  });

  it('maps a 4xx or 5xx answer to a remote failure quoting the BMC', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { resetFailure: { status: 500, message: `Power control is busy (echo: ${PASSWORD}).` } });
    const error = await powerErrorOf(driver().powerOff(host, confirmed), 'remote');
    assert.match(error.message, /GracefulShutdown \(POST \/redfish\/v1\/Systems\/1\/Actions\/ComputerSystem\.Reset\) failed with HTTP 500: A general error has occurred\. Power control is busy \(echo: \*\*\*\)\./);
    assert.doesNotMatch(everythingShown(error), new RegExp(PASSWORD));
    assert.equal(bmc.openSessions(), 0, 'the session is closed after a failure too');
    await bmc.close();
    bmc = await startFakeBmc('ulm', PASSWORD);
    const missing = await powerErrorOf(driver({ system_id: 'System.Embedded.9' }).powerState(host), 'remote');
    assert.match(missing.message, /HTTP 404: .*The resource at \/redfish\/v1\/Systems\/System\.Embedded\.9 was not found\./);
  });

  it('asks for system_id when the BMC manages several systems', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { systems: ['1', '2'] });
    const error = await powerErrorOf(driver().powerState(host), 'configuration');
    assert.match(error.message, /manages 2 systems \(\/redfish\/v1\/Systems\/1, \/redfish\/v1\/Systems\/2\): set power\.redfish\.system_id or hosts\.cmp-01\.system_id/);
  });

  it('never sends the session token to another server', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD, { sessionLocation: 'http://192.0.2.1/redfish/v1/SessionService/Sessions/1' });
    assert.equal(await driver().powerState(host), 'on');
    assert.ok(bmc.requests.every((request) => request.method !== 'DELETE'));
  });

  it('verifies the BMC\'s TLS certificate unless told otherwise, and trusts the CA given in ca_file', async function () {
    // A self-signed certificate for 127.0.0.1, made by openssl when the machine has it.
    const directory = mkdtempSync(join(tmpdir(), 'ulm-redfish-tls-'));
    try {
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { encoding: 'utf8' });
      if (made.error || made.status !== 0) {
        process.stderr.write('  redfish TLS test pending: openssl is not available to make a certificate\n');
        this.skip();
      }
      bmc = await startFakeBmc('ulm', PASSWORD, {}, { cert: readFileSync(join(directory, 'cert.pem'), 'utf8'), key: readFileSync(join(directory, 'key.pem'), 'utf8') });
      const error = await powerErrorOf(driver().powerState(host), 'configuration');
      assert.match(error.message, /the TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(.*\); give the CA in power\.redfish\.ca_file \(or, knowingly, set verify_tls false\)/);
      assert.equal(await driver({ ca_file: join(directory, 'cert.pem') }).powerState(host), 'on');
      assert.equal(await driver({ verify_tls: false }).powerState(host), 'on');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('names ca_file when it cannot be read', () => {
    assert.throws(() => createPowerDriver('redfish', { url_template: 'https://{host}', username: 'u', password: 'p', ca_file: '/nonexistent/ulm-ca.pem' }),
      /power\.redfish\.ca_file: cannot be read \(ENOENT.*\); give a readable PEM file/);
  });

  it('reports a BMC that refuses connections as unreachable, after the retries', async () => {
    bmc = await startFakeBmc('ulm', PASSWORD);
    const url = bmc.url;
    await bmc.close();
    const error = await powerErrorOf(createPowerDriver('redfish', { hosts: { 'cmp-01': { url } }, username: 'ulm', password: PASSWORD, retries: 1, retry_delay_seconds: 0.01 }, { logger: logs.logger }).powerState(host), 'unreachable');
    assert.match(error.message, new RegExp(`cannot reach ${url.replace(/[.]/g, '\\.')}: .*ECONNREFUSED`));
  });

  it('reports a BMC that accepts but never answers as a timeout', async () => {
    // A TCP server that accepts and stays silent: the request times out.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const error = await powerErrorOf(createPowerDriver('redfish', {
        hosts: { 'cmp-01': { url } }, username: 'ulm', password: PASSWORD, request_timeout_seconds: 0.2, retries: 0,
      }, { logger: logs.logger }).powerState(host), 'timeout');
      assert.match(error.message, /did not answer in time/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
