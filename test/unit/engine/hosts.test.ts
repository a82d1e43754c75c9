// The host view right after ulm itself changed a host in Nova: it shows ulm's change at once,
// not the state of the latest snapshot, which the monitor refreshes only every minute.
import assert from 'node:assert/strict';
import { describeHosts } from '../../../services/engine/hosts.js';
import { snapshot } from '../../support/builders.js';
import { useTestDatabase } from '../../support/database.js';

const SNAPSHOT_TAKEN = '2026-11-23T06:00:00.000Z';

describe('the host view after ulm changed a host', () => {
  let now: Date;

  const storage = useTestDatabase({ clock: () => now });

  /** ulm put cmp-2 into maintenance last night; cmp-3 was powered off too. */
  async function night(): Promise<void> {
    now = new Date('2026-11-22T21:00:00Z');
    await storage.repositories.hostStates.recordDisabled('cmp-2', { reason: 'ulm: consolidated' });
    await storage.repositories.hostStates.recordDisabled('cmp-3', { reason: 'ulm: consolidated' });
    await storage.repositories.hostStates.recordPoweredOff('cmp-3');
  }

  async function snapshotAt(collectedAt: string, hosts: { enabled: Record<string, boolean>; down?: string[] }): Promise<void> {
    const builder = snapshot();
    for (const [name, enabled] of Object.entries(hosts.enabled)) {
      builder.host(name, { enabled, disabled_reason: enabled ? null : 'ulm: consolidated', state: hosts.down?.includes(name) ? 'down' : 'up' });
    }
    builder.server('vm-1', { on: 'cmp-1' }).server('vm-2', { on: 'cmp-4' });
    await storage.repositories.snapshots.create({ ...builder.build(), collected_at: collectedAt });
  }

  const states = async () => Object.fromEntries((await describeHosts(storage.repositories)).map((host) => [host.name, host.state]));

  it('shows a host ulm enabled after the latest snapshot as in service, even one the snapshot saw down', async () => {
    await night();
    await snapshotAt(SNAPSHOT_TAKEN, { enabled: { 'cmp-1': true, 'cmp-2': false, 'cmp-3': false, 'cmp-4': true }, down: ['cmp-3'] });
    assert.deepEqual(await states(), { 'cmp-1': 'active', 'cmp-2': 'maintenance', 'cmp-3': 'powered_off', 'cmp-4': 'active' });

    now = new Date('2026-11-23T06:00:30Z');
    await storage.repositories.hostStates.recordEnabled('cmp-2');
    await storage.repositories.hostStates.recordPoweredOn('cmp-3');
    await storage.repositories.hostStates.recordEnabled('cmp-3');
    const view = await describeHosts(storage.repositories);
    assert.deepEqual(Object.fromEntries(view.map((host) => [host.name, host.state])), { 'cmp-1': 'active', 'cmp-2': 'empty', 'cmp-3': 'empty', 'cmp-4': 'active' });
    const cmp2 = view.find((host) => host.name === 'cmp-2')!;
    assert.deepEqual([cmp2.state_detail, cmp2.held_by_ulm, cmp2.powered_off, cmp2.action_plan_id], [null, false, false, null]);
    // The rows that remember when ulm enabled the hosts are not hosts ulm holds.
    assert.deepEqual(await storage.repositories.hostStates.list(), []);
  });

  it('shows a host ulm disabled after the latest snapshot as in maintenance', async () => {
    now = new Date('2026-11-22T19:00:00Z');
    await snapshotAt('2026-11-22T19:00:00.000Z', { enabled: { 'cmp-1': true, 'cmp-2': true, 'cmp-3': true, 'cmp-4': true } });
    now = new Date('2026-11-22T20:30:00Z');
    await storage.repositories.hostStates.recordDisabled('cmp-2', { reason: 'ulm: consolidated' });
    const cmp2 = (await describeHosts(storage.repositories)).find((host) => host.name === 'cmp-2')!;
    assert.deepEqual([cmp2.state, cmp2.state_detail, cmp2.held_by_ulm], ['maintenance', 'ulm: consolidated', true]);
  });

  it('believes a snapshot taken after ulm enabled the host: someone else disabled it since', async () => {
    await night();
    now = new Date('2026-11-23T06:00:00Z');
    await storage.repositories.hostStates.recordEnabled('cmp-2');
    now = new Date('2026-11-23T06:05:00Z');
    await snapshotAt('2026-11-23T06:05:00.000Z', { enabled: { 'cmp-1': true, 'cmp-2': false, 'cmp-3': false, 'cmp-4': true }, down: ['cmp-3'] });
    assert.equal((await states())['cmp-2'], 'disabled');
  });

  it('shows a host ulm disabled again after enabling it as in maintenance', async () => {
    await night();
    await snapshotAt(SNAPSHOT_TAKEN, { enabled: { 'cmp-1': true, 'cmp-2': false, 'cmp-3': false, 'cmp-4': true }, down: ['cmp-3'] });
    now = new Date('2026-11-23T06:00:30Z');
    await storage.repositories.hostStates.recordEnabled('cmp-2');
    now = new Date('2026-11-23T06:00:40Z');
    await storage.repositories.hostStates.recordDisabled('cmp-2', { reason: 'ulm: drained for maintenance' });
    assert.equal((await states())['cmp-2'], 'maintenance');
    assert.equal((await storage.repositories.hostStates.find('cmp-2'))?.enabledAt, null);
    assert.deepEqual((await storage.repositories.hostStates.list()).map((record) => record.host), ['cmp-2', 'cmp-3']);
  });
});
