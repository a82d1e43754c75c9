// scripts/dev-cloud/reset against the real loopback cloud: after an operator's changes (a server
// live-migrated away from a host then disabled with a reason, a server the seed did not create),
// the seeded layout is back as python-openstackclient reads it, and a second run changes nothing.
import { strict as assert } from 'node:assert';
import { computeServices } from './service-support.js';
import { openstack, openstackAction, requireDevCloud, resetDevCloud, seededHosts, seededLayout, serverList, sleep, type Run } from './dev-cloud.js';

interface OscServer { ID: string; Name: string; Status: string; Host: string | null }
interface OscGroup { Name: string; Members: string[] | string }

const EXTRA = 'ulm-ft-reset-extra';
const REASON = 'ulm-ft reset: operator maintenance';

function servers(): OscServer[] {
  return serverList();
}

describe('scripts/dev-cloud/reset brings the dev cloud back to its seeded layout', function () {
  this.timeout(1_800_000);
  let seeded: Map<string, string>;
  let moved: { name: string; home: string; away: string };
  let first: Run;
  let second: Run;

  before(async () => {
    requireDevCloud();
    seeded = seededLayout();
    const start = resetDevCloud();
    assert.equal(start.status, 0, `reset before the test failed:\n${start.stdout}${start.stderr}`);

    // A server in no server group (the scheduler then takes it anywhere), moved off its home host,
    // which is then disabled: reset must enable the host before the server can go back.
    const grouped = new Set(openstack<OscGroup[]>(['server', 'group', 'list', '--all-projects', '--long'])
      .flatMap((group) => (Array.isArray(group.Members) ? group.Members : group.Members.split(/[,\s]+/))));
    const byName = new Map(servers().map((server) => [server.Name, server]));
    const [name, home] = [...seeded].find(([server]) => !grouped.has(byName.get(server)!.ID))!;
    const away = [...new Set(seeded.values())].find((host) => host !== home)!;
    moved = { name, home, away };
    openstackAction(['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', away, '--wait', name]);
    for (let tries = 0; servers().find((server) => server.Name === name)?.Host !== away; tries++) {
      assert.ok(tries < 60, `${name} did not reach ${away}`);
      await sleep(2000);
    }
    openstackAction(['compute', 'service', 'set', '--disable', '--disable-reason', REASON, home, 'nova-compute']);
    openstackAction(['--os-compute-api-version', '2.74', 'server', 'create', '--flavor', 'small', '--image', 'fake-img', '--nic', 'none', '--wait', EXTRA]);
    assert.ok(servers().some((server) => server.Name === EXTRA), 'the extra server exists before the reset');
    assert.equal(computeServices().find((service) => service.Host === home)?.Status, 'disabled');

    first = resetDevCloud();
    second = resetDevCloud();
  });

  after(() => {
    // Only when reset failed: leave no extra server or disabled host to the next tests.
    for (const server of servers().filter((server) => server.Name === EXTRA)) openstackAction(['server', 'delete', '--wait', server.ID]);
    if (computeServices().some((service) => service.Host === moved?.home && service.Status === 'disabled')) openstackAction(['compute', 'service', 'set', '--enable', moved.home, 'nova-compute']);
  });

  it('puts every seeded server back on its seeded host, ACTIVE, and deletes the servers the seed did not create', () => {
    assert.equal(first.status, 0, `reset failed:\n${first.stdout}${first.stderr}`);
    const now = servers();
    assert.deepEqual(now.map((server) => server.Name).sort(), [...seeded.keys()].sort());
    assert.deepEqual(new Map(now.map((server) => [server.Name, server.Host])), seeded);
    assert.deepEqual(now.filter((server) => server.Status !== 'ACTIVE').map((server) => `${server.Name} ${server.Status}`), []);
  });

  it('enables every nova-compute host, clearing the disabled reason', () => {
    for (const service of computeServices()) {
      assert.deepEqual({ host: service.Host, status: service.Status, state: service.State, reason: service['Disabled Reason'] ?? null },
        { host: service.Host, status: 'enabled', state: 'up', reason: null });
    }
  });

  it('prints one line per change and a RESET summary', () => {
    assert.match(first.stdout, new RegExp(`host ${moved.home}: nova-compute enabled \\(was disabled: ${REASON}\\)`));
    assert.match(first.stdout, new RegExp(`server ${EXTRA} \\(.*\\): deleted`));
    assert.match(first.stdout, new RegExp(`server ${moved.name}: live-migrated ${moved.away} -> ${moved.home}`));
    const hosts = seededHosts().sizes.size;
    assert.match(first.stdout, new RegExp(`^RESET: seeded layout: ${seeded.size} servers on their seeded hosts, ${hosts} nova-compute hosts enabled and up; .*live migrations: 1 `, 'm'));
  });

  it('changes nothing when run again', () => {
    assert.equal(second.status, 0, `the second reset failed:\n${second.stdout}${second.stderr}`);
    assert.match(second.stdout, /^RESET: seeded layout: .*; no changes in [\d.]+ s\n$/);
  });
});
