// When a plan's actions may start: on every host and server in the waves' order, and nothing
// else waits.
import { strict as assert } from 'node:assert';
import { stepDependencies, type PlanStep } from '../../../core/plan/dependencies.js';

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

  it('a host is disabled after the moves out of it, in its wave and before, and powered off after that; other hosts\' moves do not wait for it', () => {
    const waits = stepDependencies([
      move(0, 'a', 'cmp-1', 'cmp-2'),
      move(1, 'b', 'cmp-1', 'cmp-3'),
      host(1, 'disable_compute', 'cmp-1'),
      host(1, 'power_off', 'cmp-1'),
      move(2, 'c', 'cmp-4', 'cmp-5'),
    ]);
    assert.deepEqual(waits, [[], [0], [1], [2], []]);
  });

  it('a host comes back (power on, then enable) before the moves into it, in its wave or later', () => {
    const waits = stepDependencies([
      host(0, 'power_on', 'cmp-1'),
      host(0, 'enable_compute', 'cmp-1'),
      move(0, 'a', 'cmp-2', 'cmp-1'),
      move(1, 'b', 'cmp-3', 'cmp-1'),
      move(1, 'c', 'cmp-3', 'cmp-4'),
    ]);
    assert.deepEqual(waits, [[], [0], [1], [2], []]);
  });

  it('on random plans: every two actions that share a host or a server run in the waves\' order, and an action waits directly only for such actions', () => {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const types = ['power_on', 'enable_compute', 'live_migrate', 'live_migrate', 'live_migrate', 'disable_compute', 'power_off'];
    const stage = (type: string) => ['power_on', 'enable_compute', 'live_migrate', 'disable_compute', 'power_off'].indexOf(type);
    const names = (step: PlanStep) => [step.host, step.source, step.destination].filter(Boolean).map((name) => `host ${name}`).concat(step.server ? [`server ${step.server}`] : []);
    for (let round = 0; round < 50; round++) {
      const steps: PlanStep[] = [];
      for (let wave = 0, count = 5 + random(20); steps.length < count; wave += random(2)) {
        const type = types[random(types.length)];
        const hostName = () => `cmp-${random(6)}`;
        if (type === 'live_migrate') {
          const source = hostName();
          let destination = hostName();
          if (destination === source) destination = `${source}-b`;
          steps.push(move(wave, `s-${random(8)}`, source, destination));
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
          assert.ok(names(steps[a]).some((name) => names(steps[b]).includes(name)), `round ${round}: step ${b} waits for step ${a}, which shares nothing with it`);
        }
        for (let a = 0; a < steps.length; a++) {
          if (before(a, b) && names(steps[a]).some((name) => names(steps[b]).includes(name))) assert.ok(closure[b].has(a), `round ${round}: step ${b} does not wait for step ${a} though they share a host or server`);
        }
      }
    }
  });
});
