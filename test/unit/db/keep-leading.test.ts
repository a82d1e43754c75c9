// Keeping leadership: a holder that stops says it no longer leads before it lets the lock go, so
// that another contender, free to take the lock from that moment, never leads beside it.
import { strict as assert } from 'node:assert';
import { keepLeading, type LeaderLock } from '../../../services/db/leader.js';

/** A lock that is always free to take, recording what its holder is told and does. */
function recordingLock(events: string[]): LeaderLock {
  let leader = false;
  return {
    name: 'ulm-scheduler',
    holder: 'a',
    async tryAcquire() { leader = true; return true; },
    async renew() { return leader; },
    async release() { leader = false; events.push('lock released'); },
    isLeader: () => leader,
    async close() { if (leader) await this.release(); events.push('lock closed'); },
  };
}

describe('keeping leadership', () => {
  it('stops leading before it lets the lock go', async () => {
    const events: string[] = [];
    const leadership = keepLeading(recordingLock(events), { intervalSeconds: 0.01, onChange: (leading) => events.push(`leading ${leading}`) });
    for (let tries = 0; !events.includes('leading true'); tries++) {
      assert.ok(tries < 200, 'leads within 2 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await leadership.stop();
    assert.deepEqual(events, ['leading true', 'leading false', 'lock released', 'lock closed']);
  });
});
