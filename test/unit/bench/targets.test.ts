// The benchmark's own reasoning: when fewer migrations per freed host than a baseline is
// provably out of reach together with freeing as many hosts.
import { strict as assert } from 'node:assert';
import { computeFacts } from '../../bench/instances.js';
import { ratioUnreachable } from '../../bench/targets.js';

describe('benchmark: migrations per freed host out of reach', () => {
  // Hosts with 1, 1, 20 and 29 servers; cmp-5 holds a server that must not move.
  const servers = [
    ...Array.from({ length: 1 }, (_, index) => ({ id: `a${index}`, host: 'cmp-1', migratable: true })),
    ...Array.from({ length: 1 }, (_, index) => ({ id: `b${index}`, host: 'cmp-2', migratable: true })),
    ...Array.from({ length: 20 }, (_, index) => ({ id: `c${index}`, host: 'cmp-3', migratable: true })),
    ...Array.from({ length: 29 }, (_, index) => ({ id: `d${index}`, host: 'cmp-4', migratable: true })),
    { id: 'pinned', host: 'cmp-5', migratable: false },
    { id: 'e0', host: 'cmp-5', migratable: true },
  ];
  const facts = computeFacts({
    policy: { goal: 'consolidate' },
    hosts: ['cmp-1', 'cmp-2', 'cmp-3', 'cmp-4', 'cmp-5', 'cmp-6'].map((name) => ({ name, enabled: true })),
    servers,
  });

  it('counts the servers on each host a plan could empty, fewest first (not the host with an unmigratable server, not an empty one)', () => {
    assert.deepEqual(facts.servers_on_emptiable_hosts, [1, 1, 20, 29]);
  });

  it('freeing three hosts moves at least 22 servers: a baseline at 7 per host cannot be undercut', () => {
    assert.match(ratioUnreachable(facts, 3, 7) ?? '', /freeing the best baseline's 3 hosts moves at least 22 servers \(7\.33 per host\), not fewer than 7\.00/);
  });

  it('a baseline at 8 per host can be undercut, and more hosts than can be emptied prove nothing', () => {
    assert.equal(ratioUnreachable(facts, 3, 8), null);
    assert.equal(ratioUnreachable(facts, 5, 1), null);
  });
});

describe('benchmark: the fewest migrations a balance plan can make', () => {
  it('a host over max_host_cpu sheds its largest servers first; over both limits, the larger count', () => {
    const facts = computeFacts({
      policy: { goal: 'balance', max_host_cpu: 0.5, max_host_memory: 0.5 },
      hosts: [
        { name: 'cmp-hot', enabled: true, vcpus: 16, memory_mb: 65536 },
        { name: 'cmp-full', enabled: true, vcpus: 16, memory_mb: 65536 },
        { name: 'cmp-cool', enabled: true, vcpus: 16, memory_mb: 65536 },
      ],
      servers: [
        // 12 cores on a limit of 8: shedding the 6-core server is enough.
        { id: 'a', host: 'cmp-hot', migratable: true, usage: { cpu_cores: 6, memory_mb: 1024 } },
        { id: 'b', host: 'cmp-hot', migratable: true, usage: { cpu_cores: 3, memory_mb: 1024 } },
        { id: 'c', host: 'cmp-hot', migratable: true, usage: { cpu_cores: 3, memory_mb: 1024 } },
        // Memory 48 GiB on a limit of 32 GiB: two 12 GiB servers must go, though CPU needs one.
        { id: 'd', host: 'cmp-full', migratable: true, usage: { cpu_cores: 9, memory_mb: 12288 } },
        { id: 'e', host: 'cmp-full', migratable: true, usage: { cpu_cores: 0, memory_mb: 12288 } },
        { id: 'f', host: 'cmp-full', migratable: true, usage: { cpu_cores: 0, memory_mb: 12288 } },
        { id: 'g', host: 'cmp-full', migratable: true, usage: { cpu_cores: 0, memory_mb: 12288 } },
        { id: 'h', host: 'cmp-cool', migratable: true, usage: { cpu_cores: 1, memory_mb: 1024 } },
      ],
    });
    assert.equal(facts.balance_migration_floor, 3);
  });
});
