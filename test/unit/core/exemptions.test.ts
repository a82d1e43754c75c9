// Tests of policy exemptions: servers that must not move, always or inside time windows.
// Chosen by id, name, metadata or tag; windows evaluated at the plan's `now` (time zones, DST,
// midnight).
import { strict as assert } from 'node:assert';
import type { Exemption, TimeWindow } from '../../../core/policy/schema.js';
import { isInsideWindow } from '../../../core/policy/windows.js';
import { snapshot } from '../../support/builders.js';
import { blockedBy, checkedPlan, hostsWith, movedServers } from '../../support/planning.js';

/**
 * cmp-1 is the bigger host: consolidation empties cmp-2 by moving billing-db, unless billing-db
 * is exempt; then it moves web-1 onto cmp-2 instead.
 */
function clusterWith(exemptions: Exemption[]) {
  return snapshot().policy({ goal: 'consolidate', exemptions })
    .host('cmp-1', { vcpus: 64, memory_mb: 131072 })
    .host('cmp-2')
    .server('web-1', { on: 'cmp-1' })
    .server('billing-db', { on: 'cmp-2', name: 'billing-db-0', metadata: { project: 'billing', tier: 'db' }, tags: ['critical'] })
    .build();
}

const STAYS = ['web-1'];
const MOVES = ['billing-db'];

describe('exemptions', () => {
  describe('always', () => {
    const cases: { behaviour: string; exemptions: Exemption[]; moved: string[] }[] = [
      { behaviour: 'without an exemption the server on the smaller host moves', exemptions: [], moved: MOVES },
      { behaviour: 'a server exempted by id never moves', exemptions: [{ servers: ['billing-db'] }], moved: STAYS },
      { behaviour: 'a server exempted by name never moves', exemptions: [{ servers: ['billing-db-0'] }], moved: STAYS },
      { behaviour: 'a server whose metadata has every pair of the exemption never moves', exemptions: [{ metadata: { project: 'billing', tier: 'db' } }], moved: STAYS },
      { behaviour: 'a server whose metadata lacks one pair of the exemption may move', exemptions: [{ metadata: { project: 'billing', tier: 'web' } }], moved: MOVES },
      { behaviour: 'a server carrying any tag of the exemption never moves', exemptions: [{ tags: ['pets', 'critical'] }], moved: STAYS },
      { behaviour: 'an exemption naming another server does not hold this one', exemptions: [{ servers: ['someone-else'] }], moved: MOVES },
    ];
    for (const { behaviour, exemptions, moved } of cases) {
      it(behaviour, () => {
        const { plan } = checkedPlan(clusterWith(exemptions));
        assert.deepEqual(movedServers(plan), moved);
      });
    }

    it('a drained exempt server stays, is reported with the exemption that holds it, and its host stays enabled', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-2'], exemptions: [{ name: 'billing freeze', tags: ['critical'] }] })
        .hosts(['cmp-1', 'cmp-2'])
        .server('billing-db', { on: 'cmp-2', tags: ['critical'] })
        .build();
      const { plan } = checkedPlan(cluster);
      assert.deepEqual(movedServers(plan), []);
      assert.equal(blockedBy(plan)['billing-db'], 'exemption');
      assert.match(plan.meta.blocked[0].detail, /billing freeze/);
      assert.deepEqual(hostsWith(plan, 'disable_compute'), []);
    });
  });

  describe('inside time windows (not_during), at the plan\'s now', () => {
    const officeHours: TimeWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00', timezone: 'Europe/Berlin' };
    const fridayNight: TimeWindow = { days: ['fri'], start: '22:00', end: '06:00', timezone: 'UTC' };
    const nightsInBerlin: TimeWindow = { start: '22:00', end: '06:00', timezone: 'Europe/Berlin' };
    const cases: { when: string; window: TimeWindow; now: string; exempt: boolean }[] = [
      { when: 'Monday 08:30 in Berlin (07:30 UTC, winter) is inside 08:00-18:00 Mon-Fri Europe/Berlin', window: officeHours, now: '2026-11-23T07:30:00Z', exempt: true },
      { when: 'Monday 07:30 in Berlin (06:30 UTC, winter) is before it', window: officeHours, now: '2026-11-23T06:30:00Z', exempt: false },
      { when: 'Monday 17:59 in Berlin is inside it', window: officeHours, now: '2026-11-23T16:59:00Z', exempt: true },
      { when: 'Monday 18:00 in Berlin is after it (the end is exclusive)', window: officeHours, now: '2026-11-23T17:00:00Z', exempt: false },
      { when: 'Sunday noon in Berlin is outside it (weekend)', window: officeHours, now: '2026-11-22T11:00:00Z', exempt: false },
      { when: 'Monday 08:30 in Berlin in summer is 06:30 UTC (CEST): inside', window: officeHours, now: '2026-07-06T06:30:00Z', exempt: true },
      { when: 'Friday before the spring DST switch, 06:30 UTC is 07:30 CET: outside', window: officeHours, now: '2026-03-27T06:30:00Z', exempt: false },
      { when: 'Monday after the spring DST switch, 06:30 UTC is 08:30 CEST: inside', window: officeHours, now: '2026-03-30T06:30:00Z', exempt: true },
      { when: 'Friday before the autumn DST switch, 06:30 UTC is 08:30 CEST: inside', window: officeHours, now: '2026-10-23T06:30:00Z', exempt: true },
      { when: 'Monday after the autumn DST switch, 06:30 UTC is 07:30 CET: outside', window: officeHours, now: '2026-10-26T06:30:00Z', exempt: false },
      { when: 'Friday 23:00 is inside a Friday 22:00-06:00 window', window: fridayNight, now: '2026-11-27T23:00:00Z', exempt: true },
      { when: 'Saturday 03:00 is inside a Friday 22:00-06:00 window (it opened on Friday)', window: fridayNight, now: '2026-11-28T03:00:00Z', exempt: true },
      { when: 'Saturday 06:00 is after a Friday 22:00-06:00 window', window: fridayNight, now: '2026-11-28T06:00:00Z', exempt: false },
      { when: 'Friday 03:00 is outside a Friday 22:00-06:00 window (that night opened on Thursday)', window: fridayNight, now: '2026-11-27T03:00:00Z', exempt: false },
      { when: 'Saturday 23:00 is outside a Friday 22:00-06:00 window', window: fridayNight, now: '2026-11-28T23:00:00Z', exempt: false },
      { when: '01:30 CET on the night of the spring DST switch is inside 22:00-06:00 Europe/Berlin', window: nightsInBerlin, now: '2026-03-29T00:30:00Z', exempt: true },
      { when: '05:30 CEST on that night (03:30 UTC) is inside it', window: nightsInBerlin, now: '2026-03-29T03:30:00Z', exempt: true },
      { when: '06:30 CEST on that night (04:30 UTC, which would be 05:30 CET) is after it', window: nightsInBerlin, now: '2026-03-29T04:30:00Z', exempt: false },
    ];

    for (const { when, window, now, exempt } of cases) {
      it(`${when}: the server ${exempt ? 'stays' : 'may move'}`, () => {
        assert.equal(isInsideWindow(window, Date.parse(now)), exempt);
        const { plan } = checkedPlan(clusterWith([{ servers: ['billing-db'], not_during: [window] }]), { now });
        assert.deepEqual(movedServers(plan), exempt ? STAYS : MOVES);
      });
    }

    it('an exemption with several windows holds inside any of them', () => {
      const exemptions = [{ servers: ['billing-db'], not_during: [officeHours, fridayNight] }];
      assert.deepEqual(movedServers(checkedPlan(clusterWith(exemptions), { now: '2026-11-28T03:00:00Z' }).plan), STAYS);
      assert.deepEqual(movedServers(checkedPlan(clusterWith(exemptions), { now: '2026-11-23T10:00:00Z' }).plan), STAYS);
      assert.deepEqual(movedServers(checkedPlan(clusterWith(exemptions), { now: '2026-11-22T10:00:00Z' }).plan), MOVES);
    });

    it('the blocked entry of a server held by a window names the window', () => {
      const cluster = snapshot().policy({ goal: 'drain', drain_hosts: ['cmp-2'], exemptions: [{ name: 'office hours', servers: ['billing-db'], not_during: [officeHours] }] })
        .hosts(['cmp-1', 'cmp-2'])
        .server('billing-db', { on: 'cmp-2' })
        .build();
      const { plan } = checkedPlan(cluster, { now: '2026-11-23T09:00:00Z' });
      assert.equal(blockedBy(plan)['billing-db'], 'exemption');
      assert.match(plan.meta.blocked[0].detail, /office hours/);
      assert.match(plan.meta.blocked[0].detail, /08:00-18:00/);
    });
  });
});
