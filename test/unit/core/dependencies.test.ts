// When a plan's actions may start: every two actions that conflict on a host or a server run in
// the waves' order, and nothing else waits.
import { strict as assert } from 'node:assert';
import { migrationsPerHostLimit, stepDependencies, type PlanStep } from '../../../core/plan/dependencies.js';

const move = (wave: number, server: string, source: string, destination: string): PlanStep => ({ wave, type: 'live_migrate', server, source, destination });
const host = (wave: number, type: string, name: string): PlanStep => ({ wave, type, host: name });

describe('the order in which a plan\'s actions may start', () => {
  it('a move between other hosts does not wait for the wave before; a move into a host waits for the earlier moves out of it', () => {
    const waits = stepDependencies([
      move(0, 'a', 'cmp-1', 'cmp-2'),
      move(1, 'b', 'cmp-3', 'cmp-4'),
      move(1, 'c', 'cmp-5', 'cmp-1'),
    ]);
    assert.deepEqual(waits, [[], [], [0]]);
  });

  it('a server moved twice moves in order, and moves of one wave never wait for each other', () => {
    const waits = stepDependencies([
      move(0, 'a', 'cmp-1', 'cmp-3'),
      move(0, 'b', 'cmp-1', 'cmp-2'),
      move(2, 'a', 'cmp-3', 'cmp-4'),
    ]);
    assert.deepEqual(waits, [[], [], [0]]);
  });

  it('moves out of one host in successive waves do not wait for each other; the host is disabled after all of them, and powered off after that', () => {
    const waits = stepDependencies([
      move(0, 'a', 'cmp-1', 'cmp-2'),
      move(1, 'b', 'cmp-1', 'cmp-3'),
      host(1, 'disable_compute', 'cmp-1'),
      host(1, 'power_off', 'cmp-1'),
      move(2, 'c', 'cmp-4', 'cmp-5'),
    ]);
    assert.deepEqual(waits, [[], [], [0, 1], [2], []]);
  });

  it('a host comes back (power on, then enable) before the moves into it; moves into one host in successive waves do not wait for each other', () => {
    const waits = stepDependencies([
      host(0, 'power_on', 'cmp-1'),
      host(0, 'enable_compute', 'cmp-1'),
      move(0, 'a', 'cmp-2', 'cmp-1'),
      move(1, 'b', 'cmp-3', 'cmp-1'),
      move(1, 'c', 'cmp-3', 'cmp-4'),
    ]);
    assert.deepEqual(waits, [[], [0], [1], [1], []]);
  });

  it('a move out of a host waits for the earlier moves into it (an affinity group\'s anchor stays until the member arrived)', () => {
    assert.deepEqual(stepDependencies([move(0, 'a', 'cmp-1', 'cmp-2'), move(1, 'b', 'cmp-2', 'cmp-3')]), [[], [0]]);
  });

  it('the limit on one host is the most migrations the plan gives one host in one wave', () => {
    assert.equal(migrationsPerHostLimit([move(0, 'a', 'cmp-1', 'cmp-2'), move(1, 'b', 'cmp-1', 'cmp-3')]), 1);
    assert.equal(migrationsPerHostLimit([move(0, 'a', 'cmp-1', 'cmp-2'), move(0, 'b', 'cmp-1', 'cmp-3'), move(1, 'c', 'cmp-1', 'cmp-4')]), 2);
    assert.equal(migrationsPerHostLimit([host(0, 'disable_compute', 'cmp-1')]), 1);
  });

  it('on random plans: every two actions that conflict run in the waves\' order, and an action waits directly only for such actions', () => {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const types = ['power_on', 'enable_compute', 'live_migrate', 'live_migrate', 'live_migrate', 'disable_compute', 'power_off'];
    const stage = (type: string) => ['power_on', 'enable_compute', 'live_migrate', 'disable_compute', 'power_off'].indexOf(type);
    const hosts = (step: PlanStep) => [step.host, step.source, step.destination].filter(Boolean);
    // The rule: moves conflict on their server, or when one leaves the host the other arrives at; a host action with anything on its host.
    const conflict = (a: PlanStep, b: PlanStep) => (a.type === 'live_migrate' && b.type === 'live_migrate'
      ? a.server === b.server || a.source === b.destination || a.destination === b.source
      : hosts(a).some((name) => hosts(b).includes(name)));
    for (let round = 0; round < 50; round++) {
      const steps: PlanStep[] = [];
      for (let wave = 0, count = 5 + random(20); steps.length < count; wave += random(2)) {
        const type = types[random(types.length)];
        const hostName = () => `cmp-${random(6)}`;
        if (type === 'live_migrate') {
          const source = hostName();
          let destination = hostName();
          if (destination === source) destination = `${source}-b`;
          // A server moves at most once in a wave (the scorer's rule).
          const server = `s-${random(8)}`;
          const once = steps.some((step) => step.wave === wave && step.server === server) ? `${server}-${steps.length}` : server;
          steps.push(move(wave, once, source, destination));
        } else steps.push(host(wave, type, hostName()));
      }
      const waits = stepDependencies(steps);
      const before = (a: number, b: number) => steps[a].wave < steps[b].wave || (steps[a].wave === steps[b].wave && stage(steps[a].type) < stage(steps[b].type));
      const closure = waits.map((direct) => new Set(direct));
      for (let changed = true; changed;) {
        changed = false;
        for (const reach of closure) for (const earlier of [...reach]) for (const further of closure[earlier]) if (!reach.has(further)) { reach.add(further); changed = true; }
      }
      for (let b = 0; b < steps.length; b++) {
        for (const a of waits[b]) {
          assert.ok(before(a, b), `round ${round}: step ${b} waits for step ${a}, which is not before it`);
          assert.ok(conflict(steps[a], steps[b]), `round ${round}: step ${b} waits for step ${a}, which it does not conflict with`);
        }
        for (let a = 0; a < steps.length; a++) {
          if (before(a, b) && conflict(steps[a], steps[b])) assert.ok(closure[b].has(a), `round ${round}: step ${b} does not wait for step ${a} though they conflict: ${JSON.stringify(steps)}`);
        }
      }
    }
  });
});
