// Power driver ironic against a fake Ironic on loopback: finding the node, the power PUT and the polling, retries on a locked node, errors with Ironic's message, and no token anywhere.
import assert from 'node:assert/strict';
import type { CloudSession } from '../../../core/power.js';
import { createPowerDriver } from '../../../plugins/power/index.js';
import { node, startFakeIronic, type FakeNode } from './fake-ironic.js';
import { capturedLogger, everythingShown, powerErrorOf } from './support.js';

const UUID_1 = '1be26c0b-03f2-4d2e-ae87-c02d7f33c781';
const UUID_2 = '2be26c0b-03f2-4d2e-ae87-c02d7f33c782';
const UUID_3 = '3be26c0b-03f2-4d2e-ae87-c02d7f33c783';
const confirmed = { verifiedEmptyAndDisabled: true } as const;

describe('power driver ironic (fake Ironic)', () => {
  let ironic: Awaited<ReturnType<typeof startFakeIronic>>;
  let nodes: FakeNode[];
  let logs: ReturnType<typeof capturedLogger>;
  let token: string;
  let tokensGiven: number;
  let endpointAsked: string[];
  const cloud = (endpointSuffix = ''): CloudSession => ({
    endpoint: async (serviceType) => { endpointAsked.push(serviceType); return `${ironic.url}${endpointSuffix}`; },
    token: async () => { tokensGiven += 1; return token; },
  });
  const driver = (options: Record<string, unknown> = {}, session = cloud()) => createPowerDriver('ironic', {
    poll_interval_seconds: 0.01, retry_delay_seconds: 0.01, ...options,
  }, { logger: logs.logger, cloud: session });
  const requests = () => ironic.requests.map((request) => `${request.method} ${request.path}`);

  beforeEach(async () => {
    logs = capturedLogger();
    token = 'gAAAAABtoken-one-5f2e9c';
    tokensGiven = 0;
    endpointAsked = [];
    nodes = [
      node('cmp-01', UUID_1, 'power on', { display_name: 'cmp-01.cloud.example.org' }),
      node('cmp-02', UUID_2, 'power off', { display_name: 'cmp-02' }),
      node('spare-7', UUID_3, 'power on', { display_name: 'cmp-03' }),
    ];
    ironic = await startFakeIronic(nodes, () => token);
  });
  afterEach(async () => {
    assert.doesNotMatch(logs.text(), /gAAAAAB/, 'a token reached the log');
    await ironic.close();
  });

  it('reads power_state of the node named after the host, with the token and a microversion', async () => {
    assert.equal(await driver().powerState({ name: 'cmp-01' }), 'on');
    assert.deepEqual(requests(), ['GET /v1/nodes/cmp-01?fields=uuid,name,power_state,target_power_state,last_error']);
    assert.equal(ironic.requests[0].headers['x-auth-token'], token);
    assert.equal(ironic.requests[0].headers['x-openstack-ironic-api-version'], '1.27');
    assert.deepEqual(endpointAsked, ['baremetal']);
  });

  it('accepts a catalog endpoint that already ends in /v1', async () => {
    assert.equal(await driver({}, cloud('/v1/')).powerState({ name: 'cmp-02' }), 'off');
  });

  it('powers off with PUT target "power off" and polls until power_state is power off', async () => {
    ironic.behaviour.transitionReads = 2;
    assert.deepEqual(await driver().powerOff({ name: 'cmp-01' }, confirmed), { host: 'cmp-01', state: 'off', changed: true });
    const put = ironic.requests.find((request) => request.method === 'PUT');
    assert.equal(put?.path, '/v1/nodes/cmp-01/states/power');
    assert.deepEqual(put?.body, { target: 'power off' });
    assert.equal(requests().filter((line) => line.startsWith('GET')).length, 4, 'one read before, three while Ironic works');
    assert.equal(nodes[0].power_state, 'power off');
  });

  it('asks for soft power off when configured', async () => {
    await driver({ soft_power_off: true }).powerOff({ name: 'cmp-01' }, confirmed);
    assert.deepEqual(ironic.requests.find((request) => request.method === 'PUT')?.body, { target: 'soft power off' });
  });

  it('powers on and waits until power on', async () => {
    ironic.behaviour.transitionReads = 3;
    assert.deepEqual(await driver().powerOn({ name: 'cmp-02' }), { host: 'cmp-02', state: 'on', changed: true });
    assert.deepEqual(ironic.requests.find((request) => request.method === 'PUT')?.body, { target: 'power on' });
  });

  it('leaves a node already in the wanted state alone', async () => {
    assert.deepEqual(await driver().powerOn({ name: 'cmp-01' }), { host: 'cmp-01', state: 'on', changed: false });
    assert.ok(!requests().some((line) => line.startsWith('PUT')));
  });

  it('finds the node by the hosts map, by the node template, or by instance_info', async () => {
    assert.equal(await driver({ hosts: { 'cmp-09': { node: UUID_3 } } }).powerState({ name: 'cmp-09' }), 'on');
    assert.equal(await driver({ node_template: 'spare-{host}' }).powerState({ name: '7' }), 'on');
    const byInstanceInfo = driver({ find_node_by: 'instance_info' });
    assert.equal(await byInstanceInfo.powerState({ name: 'cmp-03' }), 'on');
    assert.equal(await byInstanceInfo.powerState({ name: 'cmp-03' }), 'on');
    const listings = requests().filter((line) => line.startsWith('GET /v1/nodes?'));
    assert.equal(listings.length, 2, 'two pages, listed once: the node found is remembered');
    assert.ok(requests().includes(`GET /v1/nodes/${UUID_3}?fields=uuid,name,power_state,target_power_state,last_error`));
  });

  it('says which setting to give when instance_info matches no node', async () => {
    const error = await powerErrorOf(driver({ find_node_by: 'instance_info' }).powerState({ name: 'cmp-77' }), 'configuration');
    assert.match(error.message, /no Ironic node has instance_info\.display_name = "cmp-77": set power\.ironic\.hosts\.cmp-77\.node, or find_node_by name/);
  });

  it('tries again while another conductor task holds the node', async () => {
    ironic.behaviour.lockedPuts = 2;
    assert.equal((await driver({ retries: 2 }).powerOff({ name: 'cmp-01' }, confirmed)).state, 'off');
    assert.equal(requests().filter((line) => line.startsWith('PUT')).length, 3);
  });

  it('reports the node\'s last_error when the conductor fails the change', async () => {
    ironic.behaviour.failWith = 'Failed to change power state to power off: IPMI call failed: power status.';
    const error = await powerErrorOf(driver().powerOff({ name: 'cmp-01' }, confirmed), 'remote');
    assert.match(error.message, /power driver ironic: cannot power off host cmp-01: Ironic reports for node cmp-01: Failed to change power state to power off: IPMI call failed/);
  });

  it('gives up waiting after power_on_timeout_seconds, saying what Ironic shows', async () => {
    ironic.behaviour.transitionReads = 10_000;
    const error = await powerErrorOf(driver({ power_on_timeout_seconds: 0.1 }).powerOn({ name: 'cmp-02' }), 'timeout');
    assert.match(error.message, /still reported unknown instead of on after 0\.1 s; Ironic's node cmp-02 has power_state power off, target_power_state power on/);
  });

  it('maps 4xx and 5xx answers to PowerErrors with Ironic\'s faultstring and no token', async () => {
    const missing = await powerErrorOf(driver().powerState({ name: 'cmp-404' }), 'remote');
    assert.match(missing.message, /reading node cmp-404 \(GET \/v1\/nodes\/cmp-404\) failed with HTTP 404: Node cmp-404 could not be found\./);
    ironic.behaviour.everything = { status: 500, faultstring: `Internal error (token was ${token})` };
    const broken = await powerErrorOf(driver({ retries: 0 }).powerState({ name: 'cmp-01' }), 'remote');
    assert.match(broken.message, /failed with HTTP 500: Internal error \(token was \*\*\*\)/);
    for (const error of [missing, broken]) assert.doesNotMatch(everythingShown(error), /gAAAAAB/);
  });

  it('asks the session for a new token once on 401, then reports an authentication failure', async () => {
    const rotating = cloud();
    // Like openstack/'s KeystoneSession: the same token until told it was refused.
    let cached: string | undefined = 'gAAAAABrevoked-token';
    const invalidated: string[] = [];
    const session: CloudSession = {
      endpoint: rotating.endpoint,
      token: async () => { tokensGiven += 1; cached ??= token; return cached; },
      invalidate: (refused) => { invalidated.push(refused); if (cached === refused) cached = undefined; },
    };
    assert.equal(await driver({}, session).powerState({ name: 'cmp-01' }), 'on');
    assert.equal(tokensGiven, 2);
    assert.deepEqual(invalidated, ['gAAAAABrevoked-token']);
    token = 'gAAAAABtoken-two-rotated';
    const stale: CloudSession = { endpoint: rotating.endpoint, token: async () => 'gAAAAABnever-valid' };
    const error = await powerErrorOf(driver({}, stale).powerState({ name: 'cmp-01' }), 'authentication');
    assert.match(error.message, /refused with HTTP 401: The request you have made requires authentication\.; check the credentials of ulm's Keystone user/);
    assert.doesNotMatch(everythingShown(error), /gAAAAAB/);
  });

  it('reports a failing session as an authentication failure', async () => {
    const failing: CloudSession = { endpoint: async () => ironic.url, token: async () => { throw new Error('Keystone said 401 for user ulm'); } };
    const error = await powerErrorOf(driver({}, failing).powerState({ name: 'cmp-01' }), 'authentication');
    assert.match(error.message, /cannot get a Keystone token: Keystone said 401 for user ulm/);
  });
});
