// Trading hosts against migrations: which of several consolidation plans the planner keeps.
import { strict as assert } from 'node:assert';
import { chooseOutcome } from '../../../core/planner/consolidate-variants.js';

describe('choosing between consolidation plans', () => {
  it('the plan that frees more hosts is kept when its migrations per freed host are at most a third above the other\'s, however dear its last hosts', () => {
    // anti-affinity, 4,946 active hosts: 20 more hosts freed for 3,119 more migrations (156 each,
    // 13 times the other's 11.80 per freed host), 12.98 per freed host over all.
    const outcomes = [{ active: 2505, cost: 31685 }, { active: 2525, cost: 28566 }];
    assert.equal(chooseOutcome(outcomes, 4946), 0);
  });

  it('the plan that frees fewer hosts wins when the other\'s last hosts are dear and its migrations per freed host are more than a third above', () => {
    // fragmented, 976 active hosts: 52 more hosts freed for 2,726 more migrations, 13.02 per
    // freed host over all against 9.29.
    const outcomes = [{ active: 374, cost: 7837 }, { active: 426, cost: 5111 }];
    assert.equal(chooseOutcome(outcomes, 976), 1);
  });

  it('of three plans, the one in between is kept when it frees more hosts than the cheapest at an acceptable price and the packing one costs too much more', () => {
    // fragmented, 976 active hosts: packing by size and load (374 active), by size and servers
    // (381) and by load (426).
    const outcomes = [{ active: 374, cost: 8067 }, { active: 381, cost: 6918 }, { active: 426, cost: 5111 }];
    assert.equal(chooseOutcome(outcomes, 976), 1);
  });
});
