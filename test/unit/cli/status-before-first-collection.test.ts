// `ulm status` before the first collection shows why there are no hosts to count (the API's
// hosts_detail) instead of a row of zeros, and names the newest snapshot once there is one.
import assert from 'node:assert/strict';
import { statusRecord } from '../../../cli/commands/status.js';
import type { StatusView } from '../../../core/api/records.js';

const NO_HOSTS = { active: 0, empty: 0, draining: 0, maintenance: 0, powered_off: 0, disabled: 0, down: 0 };

function view(overrides: Partial<StatusView>): StatusView {
  return {
    version: '1', scheduler_leader: false, cloud: { reachable: true, detail: null }, hosts: NO_HOSTS, last_snapshot: null, hosts_detail: null,
    plans: { ongoing: 0, recommended: 0 }, next_window: null, maintenances: { ongoing: [], next: null }, last_audit: null, ...overrides,
  };
}

describe('ulm status before the first collection', () => {
  it('shows the reason instead of 0 hosts', () => {
    const detail = 'no snapshot collected yet: ulm-monitor collects the cloud every 60 s while it runs; `ulm snapshot create` collects one now';
    const record = statusRecord(view({ hosts_detail: detail }), 'http://ulm');
    assert.equal(record.hosts, detail);
    assert.equal(record.last_snapshot, null);
  });

  it('shows the host counts and the snapshot they come from once one is collected', () => {
    const hosts = { ...NO_HOSTS, active: 3 };
    const record = statusRecord(view({ hosts, last_snapshot: { id: 'snap-1', collected_at: '2026-12-01T12:00:00Z' } }), 'http://ulm');
    assert.deepEqual(record.hosts, hosts);
    assert.equal(record.last_snapshot, 'snap-1 (2026-12-01T12:00:00Z)');
  });
});
