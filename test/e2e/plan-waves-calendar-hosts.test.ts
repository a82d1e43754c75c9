// A plan's waves one by one, the calendar of windows and maintenances, and the Hosts table at
// 1,280 px, in headless Chromium against the real ulm-api (noauth) over a real engine whose
// records are stored as the scheduler and the planner store them: a snapshot where three full
// hosts rotate their servers through a spare one (so the real planner parks one server on a host
// that is not its last: a temporary move), the plan it makes, a power-saving window and a
// scheduled maintenance. Screenshots in test-output/e2e/.
import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import type { LiveMigrateAction, PlanDocument } from '../../core/plan/format.js';
import type { Runtime } from '../../services/runtime.js';
import { snapshot } from '../support/builders.js';
import { planFor } from '../support/planning.js';
import { openStoredRecordsPanel, type StoredRecordsPanel } from './stored-records-panel.js';
import { assertNoProblems, launchBrowser, openPanel, screenshot } from './browser.js';

/** What the login page stores after "Enter the panel" with noauth: the tests start logged in. */
const NOAUTH_SESSION = `sessionStorage.setItem('ulm.session', ${JSON.stringify(JSON.stringify({ token: null, expiresAt: null, userName: 'noauth', projectName: null, roles: ['admin'] }))});`;
/** Host names as long as real ones: the Hosts table must fit them at 1,280 px too. */
const HOSTS = ['compute-rack01-node01.dc1.example.net', 'compute-rack01-node02.dc1.example.net', 'compute-rack01-node03.dc1.example.net', 'compute-rack02-node01.dc1.example.net', 'compute-rack02-node02.dc1.example.net', 'compute-rack02-node03.dc1.example.net'];
const [FIRST, SECOND, THIRD, SPARE] = HOSTS;

describe('a plan\'s waves, the calendar and the Hosts table (noauth ulm-api, stored records)', function () {
  this.timeout(300_000);
  let runtime: Runtime;
  let panel: StoredRecordsPanel;
  let url: string;
  let browser: Browser;
  let plan: PlanDocument;
  let planId: string;
  let maintenanceAt: Date;

  before(async () => {
    // Three full hosts swap their servers round (vm-1 to the second, vm-2 to the third, vm-3 to the
    // first): one of them must wait on the spare host first. Two more hosts keep their servers.
    const builder = snapshot().policy({ goal: 'reach_target' }).hosts(HOSTS, { vcpus: 8, memory_mb: 8192 });
    builder.server('vm-1', { on: FIRST, flavor: { vcpus: 4, memory_mb: 8192 } });
    builder.server('vm-2', { on: SECOND, flavor: { vcpus: 4, memory_mb: 8192 } });
    builder.server('vm-3', { on: THIRD, flavor: { vcpus: 4, memory_mb: 8192 } });
    builder.server('db-1', { on: HOSTS[4], flavor: { vcpus: 2, memory_mb: 2048 } }).server('web-1', { on: HOSTS[5], flavor: { vcpus: 2, memory_mb: 2048 } });
    const cluster = builder.target({ 'vm-1': SECOND, 'vm-2': THIRD, 'vm-3': FIRST }).build();
    plan = planFor(cluster);
    assert.ok(plan.actions.some((action) => action.type === 'live_migrate' && action.temporary && action.destination === SPARE), 'the planner parks a server on the spare host (a temporary move)');

    panel = await openStoredRecordsPanel('waves');
    ({ runtime, url } = panel);
    const { repositories } = runtime;
    const stored = await repositories.snapshots.create(cluster);
    // As the scheduler records an audit: planned from this snapshot, then its plan.
    const audit = await repositories.audits.create({ policyId: null, policyName: 'rotate', goal: 'reach_target', parameters: { document: cluster.policy } });
    await repositories.audits.updateState(audit.id, 'ONGOING', { snapshotId: stored.id });
    planId = (await repositories.actionPlans.create({ auditId: audit.id, document: plan })).id;
    await repositories.audits.updateState(audit.id, 'SUCCEEDED');

    const policy = await repositories.policies.create({ name: 'nightly', document: { goal: 'consolidate' } });
    await repositories.windows.create({ policyId: policy.id, window: { name: 'weeknights', opens: 'weekdays 20:00', closes: '06:00', timezone: 'Europe/Berlin' } });
    // Tomorrow 10:00 to 14:00 in the browser's zone (UTC here), so it lands in this week's view or the next.
    maintenanceAt = new Date();
    maintenanceAt.setUTCDate(maintenanceAt.getUTCDate() + 1);
    maintenanceAt.setUTCHours(10, 0, 0, 0);
    await repositories.maintenances.create({
      hosts: [HOSTS[4]], at: maintenanceAt.toISOString(), until: new Date(maintenanceAt.getTime() + 4 * 3_600_000).toISOString(), powerOff: true,
      drainStartsAt: new Date(maintenanceAt.getTime() - 3_600_000).toISOString(), estimatedDrainSeconds: 3600, createdBy: 'e2e',
    });

    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await panel?.close();
  });

  async function open(path: string, width = 1440): Promise<{ page: Page; panel: Awaited<ReturnType<typeof openPanel>> }> {
    const panel = await openPanel(browser, url, { width, height: 900 });
    await panel.page.addInitScript({ content: NOAUTH_SESSION });
    await panel.page.goto(`/#${path}`);
    return { page: panel.page, panel };
  }

  it('steps a plan\'s page through its waves: the slider redraws the map after each wave and marks the temporary move', async () => {
    const { page, panel } = await open(`/action_plans/${planId}`);
    const stepper = page.getByRole('region', { name: 'Wave by wave' });
    const slider = stepper.getByRole('slider', { name: 'Wave' });
    const map = stepper.locator('.host-map');
    await map.and(page.locator('[data-drawn-tag="wave-0"]')).waitFor();
    const waves = Math.max(...plan.actions.map((action) => action.wave)) + 1;
    assert.equal(await slider.getAttribute('max'), String(waves), 'one step per wave, after the step before the plan');
    assert.equal(await slider.getAttribute('aria-valuetext'), 'Before the plan');
    // The legend says what the colours mean, the temporary move included.
    for (const meaning of ['stays', 'moved by this wave', 'temporary move (moves again later)']) await stepper.locator('.colour-legend').getByText(meaning).waitFor();

    const migrations = plan.actions.filter((action): action is LiveMigrateAction => action.type === 'live_migrate');
    const parked = migrations.find((action) => action.temporary)!;
    for (let wave = 1; wave <= waves; wave++) {
      // The keyboard moves the slider (natively), as a mouse would.
      await slider.focus();
      await page.keyboard.press('ArrowRight');
      await map.and(page.locator(`[data-drawn-tag="wave-${wave}"]`)).waitFor();
      assert.equal(await slider.getAttribute('aria-valuetext'), `After wave ${wave} of ${waves}`);
      const moved = migrations.filter((action) => action.wave === wave - 1).map((action) => action.server_name).sort();
      await stepper.locator('.wave-step-moves').getByText(`${moved.length} server${moved.length === 1 ? '' : 's'} live-migrated by wave ${wave}: ${moved.join(', ')}.`).waitFor();
      const waiting = parked.wave <= wave - 1 && migrations.some((action) => action.server_name === parked.server_name && action.wave >= wave);
      if (waiting) {
        const note = stepper.getByRole('list', { name: 'Temporary moves' }).getByRole('listitem');
        await note.filter({ hasText: `Temporary move: ${parked.server_name} waits on ${parked.destination}` }).waitFor();
        assert.match(await note.first().getAttribute('title') ?? '', /^Temporary move: .* moves on to .* in wave \d+$/);
        assert.equal(await stepper.getAttribute('data-temporary'), '1');
        if (parked.wave === wave - 1) await screenshot(page, '40-plan-wave-temporary-move');
      } else {
        assert.equal(await stepper.getAttribute('data-temporary'), '0', `no temporary move after wave ${wave}`);
      }
    }
    assert.equal(await stepper.getByRole('list', { name: 'Temporary moves' }).count(), 0, 'every server is home after the last wave');
    await screenshot(page, '41-plan-after-last-wave');
    await page.context().close();
    assertNoProblems(panel);
  });

  it('says on a plan\'s page how often an applier took it over after the one running it stopped', async () => {
    const { page, panel } = await open(`/action_plans/${planId}`);
    const summary = page.locator('dl').filter({ hasText: 'Duration' });
    await summary.waitFor();
    assert.equal(await summary.getByText('Resumed', { exact: true }).count(), 0, 'a plan run in one go says nothing of resumptions');
    await runtime.repositories.actionPlans.recordResumption(planId);
    await runtime.repositories.actionPlans.recordResumption(planId);
    await page.reload();
    await summary.getByText('Resumed', { exact: true }).waitFor();
    await summary.getByText('2 time(s), after the applier running it stopped').waitFor();
    await page.context().close();
    assertNoProblems(panel);
  });

  it('fits the Hosts table, its row actions included, in a 1,280 px wide window', async () => {
    const { page, panel } = await open('/hosts', 1280);
    const table = page.getByRole('table', { name: 'Hosts' });
    await table.getByRole('row').filter({ hasText: HOSTS[0] }).waitFor();
    await screenshot(page, '42-hosts-1280px');
    await page.getByRole('table', { name: 'Scheduled maintenances' }).locator('tbody tr').filter({ hasText: HOSTS[4] }).waitFor();
    // Nothing scrolls sideways: not the tables' boxes (hosts, maintenances), not the page.
    for (const box of await page.locator('.table-scroll').all()) {
      const widths = await box.evaluate((scroller) => ({ scroll: scroller.scrollWidth, client: scroller.clientWidth }));
      assert.ok(widths.scroll <= widths.client, `the table fits its box (${widths.scroll} px of content in ${widths.client} px)`);
    }
    const widths = await page.locator('html').evaluate((root) => ({ page: root.scrollWidth, window: root.clientWidth }));
    assert.ok(widths.page <= widths.window, `the page does not scroll sideways (${widths.page} px in ${widths.window} px)`);
    // Every row's actions are inside the window, and usable.
    const rows = table.locator('tbody tr');
    for (let index = 0; index < await rows.count(); index++) {
      for (const button of await rows.nth(index).locator('.actions-column .btn-group > button').all()) {
        const box = await button.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 1280, `${await button.innerText()} of row ${index + 1} is inside the window (${JSON.stringify(box)})`);
      }
    }
    const first = table.getByRole('row').filter({ hasText: HOSTS[0] });
    await first.getByRole('button', { name: 'More actions' }).click();
    const menu = first.getByRole('menu');
    await menu.waitFor();
    const menuBox = await menu.boundingBox();
    assert.ok(menuBox && menuBox.x >= 0 && menuBox.x + menuBox.width <= 1280, `the More menu opens inside the window (${JSON.stringify(menuBox)})`);
    await screenshot(page, '43-hosts-1280px-more-menu');
    await page.context().close();
    assertNoProblems(panel);
  });

  it('shows the windows and the scheduled maintenances on one calendar, reached from the navigation, Windows and Hosts', async () => {
    const { page, panel } = await open('/windows');
    await page.getByRole('link', { name: 'Calendar of windows and maintenances' }).waitFor();
    await page.goto('/#/hosts');
    await page.getByRole('link', { name: 'Calendar of maintenances and windows' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    const calendar = page.locator('.calendar-page[data-loaded="true"]');
    await calendar.waitFor();
    await calendar.locator('.colour-legend').getByText('power-saving window').waitFor();
    // The browser runs in UTC here: "weekdays 20:00" in Berlin opens at 19:00 UTC in December,
    // and closes at 06:00 Berlin, 05:00 UTC, the next morning.
    const windows = calendar.locator('.calendar-block[data-kind="window"]', { hasText: 'weeknights' });
    await windows.first().waitFor();
    const monday = calendar.locator('.calendar-day').first();
    const mondayEvening = monday.locator('.calendar-block[data-kind="window"]');
    assert.match(await mondayEvening.innerText(), /weeknights\s+19:00–…/);
    assert.match(await mondayEvening.getAttribute('title') ?? '', /^Window "weeknights" \(policy nightly\): opens .*weekdays 20:00 in Europe\/Berlin/);
    const tuesday = calendar.locator('.calendar-day').nth(1);
    assert.match(await tuesday.locator('.calendar-block[data-kind="window"]').first().innerText(), /weeknights\s+…–05:00/, 'Monday\'s opening closes on Tuesday morning');
    // Five openings (Monday to Friday) and the close of last Friday's: no window block on Sunday.
    assert.equal(await calendar.locator('.calendar-day').nth(6).locator('.calendar-block[data-kind="window"]').count(), 0);
    // The maintenance is tomorrow: this week's view, or the next one's.
    const maintenance = calendar.locator('.calendar-block[data-kind="maintenance"]', { hasText: `Maintenance of ${HOSTS[4]}` });
    const day = maintenanceAt.toISOString().slice(0, 10);
    if (!await calendar.locator(`.calendar-day[data-date="${day}"]`).count()) await page.getByRole('button', { name: 'Next week ›' }).click();
    await calendar.locator(`.calendar-day[data-date="${day}"]`).locator('.calendar-block[data-kind="maintenance"]').waitFor();
    assert.match(await maintenance.innerText(), /09:00–14:00/, 'from the start of its drain to its end');
    assert.match(await maintenance.getAttribute('title') ?? '', /powered off/);
    await screenshot(page, '44-calendar');
    await page.context().close();
    assertNoProblems(panel);
  });

  it('serves every file of the panel (the page, its style sheet, its modules and the croner library) with its security headers', async () => {
    for (const [path, type] of [['/', /^text\/html/], ['/panel.css', /^text\/css/], ['/js/web/src/main.js', /javascript/], ['/js/web/src/vendor/croner.js', /javascript/]] as const) {
      const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html,*/*' } });
      assert.equal(response.status, 200, `${path} is served`);
      assert.match(response.headers.get('content-type') ?? '', type, `${path} has its content type (modules load only as JavaScript)`);
      const policy = response.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) assert.ok(policy.includes(directive), `${path}: CSP has ${directive}: ${policy}`);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', `${path}: X-Frame-Options`);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${path}: X-Content-Type-Options`);
    }
  });

  it('plays the waves: the play button advances the map wave by wave, and pauses', async () => {
    const { page, panel } = await open(`/action_plans/${planId}`);
    const stepper = page.getByRole('region', { name: 'Wave by wave' });
    const map = stepper.locator('.host-map');
    await map.and(page.locator('[data-drawn-tag="wave-0"]')).waitFor();
    // A toggle button: its name stays, aria-pressed says whether the waves are playing.
    const play = stepper.getByRole('button', { name: 'Play the waves' });
    assert.equal(await play.getAttribute('aria-pressed'), 'false');
    await play.click();
    assert.equal(await play.getAttribute('aria-pressed'), 'true');
    assert.equal((await play.innerText()).trim(), '❚❚ Pause');
    await map.and(page.locator('[data-drawn-tag="wave-1"]')).waitFor();
    await map.and(page.locator('[data-drawn-tag="wave-2"]')).waitFor();
    await play.click();
    const stoppedAt = await stepper.getAttribute('data-wave');
    await page.waitForTimeout(2_000);
    assert.equal(await stepper.getAttribute('data-wave'), stoppedAt, 'paused: the wave stays');
    assert.equal(await play.getAttribute('aria-pressed'), 'false');
    // Played to the end, it stops there by itself.
    await play.click();
    await map.and(page.locator(`[data-drawn-tag="wave-${Math.max(...plan.actions.map((action) => action.wave)) + 1}"]`)).waitFor({ timeout: 20_000 });
    await stepper.locator('.wave-play[aria-pressed="false"]').waitFor();
    await page.context().close();
    assertNoProblems(panel);
  });
});
