// Status before the monitor's first collection says that no snapshot is collected yet, when the
// monitor collects and how to collect now, instead of counting 0 hosts; once a snapshot is
// stored it names that snapshot and counts its hosts.
import assert from 'node:assert/strict';
import type { Snapshot } from '../../../core/snapshot/format.js';
import { snapshot } from '../../support/builders.js';
import { openEngineBed, type EngineBed } from '../../support/engine-bed.js';

const TWO_HOSTS: Snapshot = snapshot()
  .hosts(['cmp-1', 'cmp-2'], { vcpus: 16, memory_mb: 32768 })
  .server('vm-1', { on: 'cmp-1', flavor: { vcpus: 2, memory_mb: 4096 } })
  .build();

describe('status before the first collection', () => {
  let bed: EngineBed;
  const engineWith = (monitorIntervalSeconds: number | undefined) => bed.engine({ monitorIntervalSeconds });

  beforeEach(async () => { bed = await openEngineBed(TWO_HOSTS); });
  afterEach(() => bed.close());

  it('says no snapshot is collected yet, how often the monitor collects and how to collect now', async () => {
    const status = await engineWith(30).status();
    assert.equal(status.last_snapshot, null);
    assert.match(status.hosts_detail ?? '', /^no snapshot collected yet: ulm-monitor collects the cloud every 30 s .*`ulm snapshot create` collects one now$/);
  });

  it('names the option when the monitor interval is not known', async () => {
    assert.match((await engineWith(undefined).status()).hosts_detail ?? '', /every \[monitor\] interval_seconds/);
  });

  it('names the newest snapshot and counts its hosts once one is stored', async () => {
    const engine = engineWith(60);
    const stored = await engine.collectSnapshot();
    const status = await engine.status();
    assert.equal(status.hosts_detail, null);
    assert.deepEqual(status.last_snapshot, { id: stored.id, collected_at: stored.collected_at });
    assert.equal(status.hosts.active + status.hosts.empty, 2);
  });
});
