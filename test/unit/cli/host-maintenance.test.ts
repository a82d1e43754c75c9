// `ulm host drain --at`, `ulm host maintenance list|show|cancel` and the maintenance lines of
// `ulm status` and `ulm host show`, against a fake ulm-api: what is sent, what is printed, and
// exit 2 naming the option for a time in the past, an end not after the start, an unknown host.
import assert from 'node:assert/strict';
import { maintenanceTimes, parseMaintenanceTime } from '../../../cli/maintenance-times.js';
import type { MaintenanceView } from '../../../core/api/records.js';
import { apiError, hostView, startFakeApi, type FakeApi } from './fake-api.js';
import { runUlm } from '../../support/ulm-in-process.js';

/** `ulm ARGS` in this process, with no OpenStack settings from the environment. */
const ulm = (args: string[]) => runUlm(args);

const HOUR = 3_600_000;
const iso = (epoch: number) => new Date(epoch).toISOString();

function maintenanceView(fields: Partial<MaintenanceView> = {}): MaintenanceView {
  const at = Date.now() + 2 * HOUR;
  return {
    id: 'mnt-1', hosts: ['cmp-07'], state: 'SCHEDULED', at: iso(at), until: iso(at + 8 * HOUR), power_off: true, drain_starts_at: iso(at - 600_000),
    estimated_drain_seconds: 600, drain_plan_id: null, power_off_plan_id: null, restore_plan_id: null, created_by: 'alice', failure_reason: null,
    created_at: iso(Date.now()), updated_at: iso(Date.now()), started_at: null, finished_at: null, ...fields,
  };
}

describe('maintenance times on the command line', () => {
  it('reads ISO 8601 with an offset, and YYYY-MM-DD HH:MM in this machine\'s zone', () => {
    assert.equal(parseMaintenanceTime('--at', '2026-12-01T22:00:00+01:00'), Date.parse('2026-12-01T21:00:00Z'));
    assert.equal(parseMaintenanceTime('--at', '2026-12-01T22:00Z'), Date.parse('2026-12-01T22:00:00Z'));
    assert.equal(parseMaintenanceTime('--at', '2026-12-01 22:00'), new Date(2026, 11, 1, 22, 0).getTime());
  });

  it('refuses what is not a time, a day that does not exist, and a time without a zone in ISO form', () => {
    for (const text of ['tomorrow', '2026-02-30 10:00', '2026-12-01T22:00:00', '22:00']) {
      assert.throws(() => parseMaintenanceTime('--until', text), (error: Error & { issues?: { path: string; message: string }[] }) => {
        assert.equal(error.issues?.[0].path, '--until');
        assert.match(error.issues![0].message, /is not a time; use ISO 8601 with an offset .* or "YYYY-MM-DD HH:MM" in this machine's time zone/);
        return true;
      }, text);
    }
  });

  it('refuses a start in the past and an end not after the start, naming the option', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    assert.throws(() => maintenanceTimes('2026-12-01T11:00:00Z', undefined, now), /in the past/);
    assert.throws(() => maintenanceTimes('2026-12-01T13:00:00Z', '2026-12-01T13:00:00Z', now), (error: Error & { issues?: { path: string }[] }) => error.issues?.[0].path === '--until');
    assert.deepEqual(maintenanceTimes('2026-12-01T13:00:00Z', '2026-12-01T15:00:00+01:00', now), { at: '2026-12-01T13:00:00.000Z', until: '2026-12-01T14:00:00.000Z' });
  });
});

describe('ulm host drain --at and ulm host maintenance', function () {
  this.timeout(20_000);
  let api: FakeApi;
  const to = () => ['--os-ulm-url', api.url];

  beforeEach(async () => {
    api = await startFakeApi({
      'POST /v1/maintenances': (request) => ({ status: 201, body: maintenanceView({ ...(request.body as Partial<MaintenanceView>), id: 'mnt-1' }) }),
      'GET /v1/maintenances': { status: 200, body: { maintenances: [maintenanceView(), maintenanceView({ id: 'mnt-2', hosts: ['cmp-08', 'cmp-09'], state: 'DRAINING', power_off: false, until: null })] } },
      'GET /v1/maintenances/mnt-1': { status: 200, body: maintenanceView() },
      'DELETE /v1/maintenances/mnt-1': { status: 200, body: maintenanceView({ state: 'CANCELLED' }) },
      'GET /v1/hosts/cmp-07': { status: 200, body: hostView('cmp-07') },
    });
  });
  afterEach(() => api.close());

  it('schedules: sends the hosts, the times in UTC and power_off, and prints the maintenance', async () => {
    const at = new Date(Date.now() + 3 * HOUR);
    at.setSeconds(0, 0);
    const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')} ${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    const until = iso(at.getTime() + 2 * HOUR);
    const run = await ulm(['host', 'drain', 'cmp-07', '--at', local, '--until', until, '--power-off', '-f', 'json', ...to()]);
    assert.equal(run.status, 0, run.stderr);
    const sent = api.requests.find((request) => request.method === 'POST')!;
    assert.deepEqual(sent.body, { hosts: ['cmp-07'], at: at.toISOString(), until: new Date(until).toISOString(), power_off: true });
    const shown = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(shown.state, 'SCHEDULED');
    assert.match(run.stderr, /maintenance mnt-1 scheduled: its drain starts at .*ulm host maintenance cancel mnt-1/);
  });

  it('exits 2 naming --at for a time in the past, and sends nothing', async () => {
    const run = await ulm(['host', 'drain', 'cmp-07', '--at', '2020-01-01 10:00', ...to()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--at: 2020-01-01 10:00 is in the past .*; give a later time/);
    assert.equal(api.requests.length, 0);
  });

  it('exits 2 naming --until when it is not after --at', async () => {
    const at = iso(Date.now() + HOUR);
    const run = await ulm(['host', 'drain', 'cmp-07', '--at', at, '--until', at, ...to()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--until: .* is not after --at/);
  });

  it('exits 2 for --until or --power-off without --at, and --dry-run with it', async () => {
    assert.match((await ulm(['host', 'drain', 'cmp-07', '--power-off', ...to()])).stderr, /--power-off: needs --at/);
    assert.equal((await ulm(['host', 'drain', 'cmp-07', '--until', iso(Date.now() + HOUR), ...to()])).status, 2);
    assert.equal((await ulm(['host', 'drain', 'cmp-07', '--at', iso(Date.now() + HOUR), '--dry-run', ...to()])).status, 2);
    assert.equal(api.requests.length, 0);
  });

  it('exits 2 for an unknown host, with the API\'s field and fix', async () => {
    api.routes['POST /v1/maintenances'] = apiError(400, 'invalid maintenance', [{ path: 'hosts[0]', message: 'unknown host "cmp-99"; ulm host list shows the compute hosts' }]);
    const run = await ulm(['host', 'drain', 'cmp-99', '--at', iso(Date.now() + HOUR), ...to()]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /hosts\[0\]: unknown host "cmp-99"/);
  });

  it('lists the maintenances not ended, and all with --all', async () => {
    const run = await ulm(['host', 'maintenance', 'list', '-f', 'csv', '-c', 'ID', '-c', 'Hosts', '-c', 'State', ...to()]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'ID,Hosts,State\nmnt-1,cmp-07,SCHEDULED\nmnt-2,"cmp-08, cmp-09",DRAINING\n');
    assert.match(api.requests[0].url, /\/v1\/maintenances\?active=true$/);
    await ulm(['host', 'maintenance', 'list', '--all', '--host', 'cmp-07', ...to()]);
    assert.match(api.requests[1].url, /\/v1\/maintenances\?host=cmp-07&active=false$/);
  });

  it('shows and cancels one', async () => {
    assert.equal((await ulm(['host', 'maintenance', 'show', 'mnt-1', '-f', 'value', '-c', 'state', ...to()])).stdout, 'SCHEDULED\n');
    const cancelled = await ulm(['host', 'maintenance', 'cancel', 'mnt-1', '-f', 'value', '-c', 'state', ...to()]);
    assert.equal(cancelled.stdout, 'CANCELLED\n');
    assert.equal(api.requests.at(-1)!.method, 'DELETE');
  });

  it('ulm host show names the host\'s maintenance', async () => {
    api.routes['GET /v1/maintenances'] = (request) => ({ status: 200, body: { maintenances: /host=cmp-07/.test(request.url) ? [maintenanceView()] : [] } });
    const shown = JSON.parse((await ulm(['host', 'show', 'cmp-07', '-f', 'json', ...to()])).stdout) as { maintenance: { id: string; state: string; power_off: boolean } };
    assert.deepEqual([shown.maintenance.id, shown.maintenance.state, shown.maintenance.power_off], ['mnt-1', 'SCHEDULED', true]);
  });

  it('ulm status shows the maintenances under way and the next one', async () => {
    api.routes['GET /v1/status'] = {
      status: 200,
      body: {
        version: '1', scheduler_leader: true, cloud: { reachable: true, detail: null }, hosts: { active: 3, empty: 0, draining: 1, maintenance: 0, powered_off: 0, disabled: 0, down: 0 },
        plans: { ongoing: 1, recommended: 0 }, next_window: null, last_audit: null,
        maintenances: { ongoing: [maintenanceView({ id: 'mnt-2', state: 'DRAINING', hosts: ['cmp-08'], power_off: false, until: null, at: '2026-12-01T22:00:00.000Z' })], next: maintenanceView() },
      },
    };
    const status = JSON.parse((await ulm(['status', '-f', 'json', ...to()])).stdout) as Record<string, unknown>;
    assert.deepEqual(status.maintenances_ongoing, ['mnt-2 DRAINING cmp-08 at 2026-12-01T22:00:00.000Z']);
    assert.match(String(status.next_maintenance), /^mnt-1 SCHEDULED cmp-07 at .* until .* \(power off\)$/);
  });
});
