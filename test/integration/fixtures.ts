// Small documents for the database suite: a policy, a ulm-cluster/1 snapshot, a ulm-plan/1 plan.
import type { PlanDocument } from '../../core/plan/format.js';

export const nightPolicy = {
  goal: 'consolidate',
  max_host_cpu: 0.8,
  power_off: true,
  exemptions: [{ name: 'payroll', tags: ['payroll'], not_during: [{ days: ['mon', 'tue'], start: '08:00', end: '18:00', timezone: 'Europe/Berlin' }] }],
};

export function snapshotDocument(hosts = 3) {
  return {
    format: 'ulm-cluster/1',
    name: 'night ☾ über-cluster',
    collected_at: '2026-11-22T19:59:58.123Z',
    policy: { goal: 'consolidate' },
    hosts: Array.from({ length: hosts }, (_, index) => ({
      name: `cmp-${String(index + 1).padStart(2, '0')}`, vcpus: 32, memory_mb: 131072, disk_gb: 1000,
      vcpu_allocation_ratio: 4.0, memory_allocation_ratio: 1.5, enabled: index !== 2, disabled_reason: index === 2 ? 'operator: RAM test' : null,
    })),
    servers: [
      { id: '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d001', name: 'vm-01', host: 'cmp-01', flavor: { name: 'm1.small', vcpus: 1, memory_mb: 2048, disk_gb: 20 }, usage: { cpu_cores: 0.125, memory_mb: 1536.5 }, migratable: true, metadata: { owner: 'Zoë' } },
      { id: '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d002', name: 'vm-02', host: 'cmp-02', flavor: { name: 'm1.small', vcpus: 1, memory_mb: 2048, disk_gb: 20 }, usage: { cpu_cores: 0.5, memory_mb: 1024 }, migratable: true, tags: ['anti-affinity:db'] },
    ],
    server_groups: [],
  };
}

/** A plan that empties cmp-02 onto cmp-01: two migrations, then disable and power off. */
export function planDocument(extraNotes = 0): PlanDocument {
  return {
    format: 'ulm-plan/1',
    instance: null,
    planner: 'ulm 0.1.0',
    meta: {
      goal: 'consolidate', status: 'complete', now: '2026-11-22T20:00:00.000Z',
      metrics: {
        active_hosts_before: 2, active_hosts_after: 1, hosts_freed: 1, hosts_disabled: 1, hosts_powered_off: 1, migrations: 2, temporary_migrations: 0,
        servers_migrated: 2, waves: 3, memory_to_move_mb: 4096, power_before_w: 412.5, power_after_w: 231.25, power_saved_w: 181.25,
        hosts_over_limits_before: 0, hosts_over_limits_after: 0,
      },
      blocked: [],
      // Large plans outgrow MariaDB's TEXT (64 KiB): the columns are LONGTEXT.
      notes: Array.from({ length: extraNotes }, (_, index) => `note ${index}: ${'ü'.repeat(40)}`),
    },
    actions: [
      { wave: 0, type: 'live_migrate', server: '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d002', server_name: 'vm-02', source: 'cmp-02', destination: 'cmp-01', reason: 'empty cmp-02' },
      { wave: 0, type: 'live_migrate', server: '6a1f0a52-7d7c-4ad2-8a4f-0f4c51a4d003', source: 'cmp-02', destination: 'cmp-01', reason: 'empty cmp-02', temporary: true },
      { wave: 1, type: 'disable_compute', host: 'cmp-02', reason: 'ulm: consolidated' },
      { wave: 2, type: 'power_off', host: 'cmp-02', reason: 'cmp-02 is empty and disabled' },
    ],
  };
}
