// The panel's wave stepper: where each server is after each wave, which moved, which wait on a
// host that is not their last (temporary moves), and which hosts are in maintenance by then.
import { strict as assert } from 'node:assert';
import type { HostLoad, HostPicture } from '../../../web/src/api/records.js';
import { waveSteps, type StepAction } from '../../../web/src/plan/wave-steps.js';

function load(servers: string[], fraction: number): HostLoad {
  return { servers, vcpu_allocation: fraction, memory_allocation: fraction, cpu_usage: fraction / 2, memory_usage: fraction / 2 };
}

/** Three full hosts rotate their servers through a fourth, empty one; cmp-4 is then disabled. */
function rotation(): { picture: HostPicture[]; actions: StepAction[] } {
  const picture: HostPicture[] = [
    { host: 'cmp-1', before: load(['vm-1'], 1), after: load(['vm-3'], 1) },
    { host: 'cmp-2', before: load(['vm-2'], 1), after: load(['vm-1'], 1) },
    { host: 'cmp-3', before: load(['vm-3'], 1), after: load(['vm-2'], 1) },
    { host: 'cmp-4', before: load([], 0), after: load([], 0) },
  ];
  const move = (wave: number, server: string, destination: string): StepAction => ({ wave, type: 'live_migrate', server: `id-${server}`, server_name: server, host: null, destination, state: 'PENDING' });
  const actions: StepAction[] = [
    move(0, 'vm-1', 'cmp-4'),
    move(1, 'vm-3', 'cmp-1'),
    move(2, 'vm-2', 'cmp-3'),
    move(3, 'vm-1', 'cmp-2'),
    { wave: 4, type: 'disable_compute', server: null, server_name: null, host: 'cmp-4', destination: null, state: 'PENDING' },
  ];
  return { picture, actions };
}

const placement = (step: ReturnType<typeof waveSteps>[number]) => Object.fromEntries(step.hosts.map((host) => [host.host, host.servers.map((server) => server.name)]));

describe('the wave stepper\'s placements', () => {
  it('has a step before the plan and one after each wave, numbered from 1', () => {
    const { picture, actions } = rotation();
    assert.deepEqual(waveSteps(picture, actions).map((step) => step.wave), [0, 1, 2, 3, 4, 5]);
  });

  it('moves each server when its wave has run, and marks the servers that wave moved', () => {
    const { picture, actions } = rotation();
    const steps = waveSteps(picture, actions);
    assert.deepEqual(placement(steps[0]), { 'cmp-1': ['vm-1'], 'cmp-2': ['vm-2'], 'cmp-3': ['vm-3'], 'cmp-4': [] });
    assert.deepEqual(placement(steps[1]), { 'cmp-1': [], 'cmp-2': ['vm-2'], 'cmp-3': ['vm-3'], 'cmp-4': ['vm-1'] });
    assert.deepEqual(placement(steps[2]), { 'cmp-1': ['vm-3'], 'cmp-2': ['vm-2'], 'cmp-3': [], 'cmp-4': ['vm-1'] });
    assert.deepEqual(placement(steps[4]), { 'cmp-1': ['vm-3'], 'cmp-2': ['vm-1'], 'cmp-3': ['vm-2'], 'cmp-4': [] });
    assert.deepEqual(steps.map((step) => step.moved), [[], ['vm-1'], ['vm-3'], ['vm-2'], ['vm-1'], []]);
    assert.deepEqual(steps[2].hosts[0].servers, [{ name: 'vm-3', moved: true, temporary: false }]);
    assert.equal(steps[3].hosts[0].servers[0].moved, false, 'moved by an earlier wave only');
  });

  it('marks a server waiting on a host that is not its last as a temporary move, until it moves on', () => {
    const { picture, actions } = rotation();
    const steps = waveSteps(picture, actions);
    assert.deepEqual(steps[0].temporary, []);
    for (const step of [1, 2, 3]) {
      assert.deepEqual(steps[step].temporary, [{ server: 'vm-1', host: 'cmp-4', destination: 'cmp-2', movesAgainInWave: 4 }], `after wave ${step}`);
      assert.deepEqual(steps[step].hosts[3].servers, [{ name: 'vm-1', moved: step === 1, temporary: true }]);
    }
    assert.deepEqual(steps[4].temporary, []);
    assert.ok(steps[4].hosts.every((host) => host.servers.every((server) => !server.temporary)), 'none is temporary at its final host');
  });

  it('puts a host into maintenance from the wave that disables it, unless that action did not happen', () => {
    const { picture, actions } = rotation();
    assert.deepEqual(waveSteps(picture, actions).map((step) => step.hosts[3].state), ['empty', 'active', 'active', 'active', 'empty', 'maintenance']);
    const skipped = actions.map((action) => (action.type === 'disable_compute' ? { ...action, state: 'SKIPPED' as const } : action));
    assert.equal(waveSteps(picture, skipped)[5].hosts[3].state, 'empty');
  });

  it('gives a host the before or after picture\'s load when it holds the same servers, else none', () => {
    const { picture, actions } = rotation();
    const steps = waveSteps(picture, actions);
    assert.deepEqual(steps[0].hosts[0].load, { vcpu_allocation: 1, memory_allocation: 1, cpu_usage: 0.5, memory_usage: 0.5 });
    assert.equal(steps[1].hosts[0].load?.vcpu_allocation, undefined, 'cmp-1 empty after wave 1: neither picture');
    assert.deepEqual(steps[5].hosts.map((host) => host.load?.vcpu_allocation), [1, 1, 1, 0]);
  });

  it('marks the hosts the plan changes on every step, and takes the plan\'s wave count when larger', () => {
    const { picture, actions } = rotation();
    const steps = waveSteps(picture, actions, 7);
    assert.equal(steps.length, 8);
    assert.deepEqual(steps[0].hosts.map((host) => host.changed), [true, true, true, true]);
  });

  it('refuses a live migration to a host the picture does not have, naming it', () => {
    const { picture, actions } = rotation();
    assert.throws(() => waveSteps(picture.slice(0, 3), actions), /vm-1 goes to host "cmp-4", which is not in the plan's picture/);
  });
});
