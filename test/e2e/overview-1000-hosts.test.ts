// The Overview at 1,000 hosts and 20,000 servers, in headless Chromium: the real ulm-api
// (noauth, which the login page says and lets through) over a real engine whose latest snapshot is
// the shared generator's `uniform` 1000x20000 cluster, with a few hosts disabled, down and in
// maintenance and some window runs saved, so that every state and both charts show. Measures how
// long the page takes to draw and how it answers scrolling, filtering and keys afterwards, and
// asserts only that it renders every host and stays responsive (figures go to the report).
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Runtime } from '../../services/runtime.js';
import { generatedInstance } from '../support/bench.js';
import { openStoredRecordsPanel, type StoredRecordsPanel } from './stored-records-panel.js';
import { assertNoProblems, launchBrowser, openPanel, OUTPUT, screenshot } from './browser.js';

const HOSTS = 1000;
const SERVERS = 20_000;
/** What the login page stores after "Enter the panel" with noauth: the tests start logged in. */
const NOAUTH_SESSION = `sessionStorage.setItem('ulm.session', ${JSON.stringify(JSON.stringify({ token: null, expiresAt: null, userName: 'noauth', projectName: null, roles: ['admin'] }))});`;

interface Figures {
  hosts: number;
  servers: number;
  api_answer_ms: number;
  data_loaded_ms: number;
  first_map_draw_ms: number;
  map_draw_ms: number;
  long_tasks_during_load: number;
  longest_task_ms: number;
  scroll_frames: number;
  scroll_frame_p95_ms: number;
  scroll_frame_max_ms: number;
  filter_to_redraw_ms: number;
  key_to_details_ms: number;
}

describe('the Overview with 1,000 hosts and 20,000 servers (noauth ulm-api, generated snapshot)', function () {
  this.timeout(300_000);
  let runtime: Runtime;
  let panel: StoredRecordsPanel;
  let url: string;
  let browser: Browser;
  let notActive: number;

  before(async () => {
    const snapshot = generatedInstance({ family: 'uniform', hosts: HOSTS, servers: SERVERS, seed: 1 });
    assert.ok(snapshot, 'the shared generator made the 1,000-host snapshot (set ULM_SHARED to the shared folder if it is elsewhere)');
    // A few hosts in each state an operator meets.
    snapshot.hosts.slice(900, 915).forEach((host) => { host.enabled = false; host.disabled_reason = 'hardware check'; });
    snapshot.hosts.slice(915, 920).forEach((host) => { host.state = 'down'; });
    const emptied = new Set(snapshot.hosts.slice(920, 940).map((host) => host.name));
    const receivers = snapshot.hosts.slice(0, 20).map((host) => host.name);
    snapshot.servers.forEach((server, index) => { if (emptied.has(server.host)) server.host = receivers[index % receivers.length]; });

    panel = await openStoredRecordsPanel('1000');
    ({ runtime, url } = panel);
    await runtime.repositories.snapshots.create(snapshot);
    for (const host of snapshot.hosts.slice(920, 935)) await runtime.repositories.hostStates.recordDisabled(host.name, { reason: 'ulm: consolidated' });
    for (const host of snapshot.hosts.slice(930, 935)) await runtime.repositories.hostStates.recordPoweredOff(host.name);
    for (let night = 0; night < 14; night++) {
      const start = new Date(Date.UTC(2026, 10, 8 + night, 20, 0));
      const hostsOff = 15 + (night * 7) % 11;
      await runtime.repositories.savings.create({ periodStart: start.toISOString(), periodEnd: new Date(start.getTime() + 10 * 3_600_000).toISOString(), hostsOff, hostHoursOff: hostsOff * 10, energyKwh: hostsOff * 10 * 0.17 });
    }
    // Made here: 15 disabled, 5 down, 15 in maintenance (5 of them powered off), 5 emptied but
    // enabled; the generator disables a few more of its own.
    notActive = (await runtime.engine.listHosts()).filter((host) => host.state !== 'active').length;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await panel?.close();
  });

  it('says on the login page that noauth needs no login, and lets the user in', async () => {
    const panel = await openPanel(browser, url);
    const { page } = panel;
    await page.goto('/#/overview');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByText('No login needed.').waitFor();
    assert.match(await page.locator('.login-box').innerText(), /auth_strategy = noauth/);
    await screenshot(page, '00-login-noauth');
    await page.getByRole('button', { name: 'Enter the panel' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.match(await page.locator('.topbar').innerText(), /noauth/);
    await page.context().close();
    assertNoProblems(panel);
  });

  it('draws every host without freezing, and stays responsive to scrolling, filtering and keys', async () => {
    const panel = await openPanel(browser, url, { width: 1440, height: 900 });
    const { page } = panel;
    // Long tasks (main thread busy > 50 ms) are what a user feels as a freeze: count them from the start.
    await page.addInitScript({ content: `${NOAUTH_SESSION}
      globalThis.ulmLongTasks = [];
      new PerformanceObserver((list) => { for (const entry of list.getEntries()) globalThis.ulmLongTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });` });
    const answerStarted = Date.now();
    const answer = await fetch(`${url}/v1/servers`);
    await answer.json();
    const apiAnswerMs = Date.now() - answerStarted;

    await page.goto('/#/overview');
    const map = page.locator('.host-map[data-drawn="true"]');
    await map.waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('.host-map').getAttribute('data-hosts'), String(HOSTS), 'every host is on the map');
    const load = await page.evaluate(`(() => {
      const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
      const tasks = globalThis.ulmLongTasks;
      return { data: mark('ulm:overview:data-loaded'), draw: mark('ulm:host-map:first-draw:Hosts'), longTasks: tasks.length, longest: Math.max(0, ...tasks) };
    })()`) as { data: number; draw: number; longTasks: number; longest: number };
    await page.getByText('Energy saved per window run', { exact: true }).waitFor();
    await screenshot(page, '10-overview-1000-hosts');

    // Scrolling the map from top to bottom: how long each frame takes to come.
    const scrolling = await page.evaluate(`(async () => {
      const scroller = document.querySelector('.host-map-scroller');
      const frames = [];
      const step = scroller.clientHeight / 2;
      for (let top = 0; top <= scroller.scrollHeight; top += step) {
        const asked = performance.now();
        scroller.scrollTop = top;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        frames.push(performance.now() - asked);
      }
      frames.sort((a, b) => a - b);
      return { count: frames.length, p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1], atBottom: scroller.scrollTop > 0 };
    })()`) as { count: number; p95: number; max: number; atBottom: boolean };
    assert.ok(scrolling.atBottom && scrolling.count > 10, 'the map scrolled through every row');
    await screenshot(page, '11-overview-1000-hosts-scrolled');

    // Filtering by name: from the keystroke to the redrawn map.
    const filterStarted = Date.now();
    await page.getByRole('searchbox', { name: 'Filter hosts by name' }).fill('cmp09');
    // A selector, not waitForFunction: the panel's Content-Security-Policy forbids evaluating strings.
    await page.locator('.overview[data-hosts-shown="100"]').waitFor();
    const filterMs = Date.now() - filterStarted;
    await page.getByRole('searchbox', { name: 'Filter hosts by name' }).fill('');
    await page.locator('.overview[data-hosts-shown="1000"]').waitFor();

    // Hiding a state with the legend, then the keyboard: the map answers at once.
    await page.getByRole('button', { name: /^Active/ }).click();
    assert.equal(await page.locator('.overview').getAttribute('data-hosts-shown'), String(notActive), 'disabled, down, maintenance, powered off and empty hosts stay');
    await screenshot(page, '12-overview-1000-hosts-not-active');
    await page.getByRole('button', { name: /^Active/ }).click();
    const keyStarted = Date.now();
    await page.getByRole('img', { name: /^Hosts: 1000 hosts/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.getByRole('heading', { level: 3, name: /^cmp\d+: / }).waitFor();
    const keyMs = Date.now() - keyStarted;
    const drawMs = await page.evaluate('(() => { const started = performance.now(); document.querySelector(".host-map-scroller").scrollTop += 1; return new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now() - started))); })()') as number;

    const figures: Figures = {
      hosts: HOSTS,
      servers: SERVERS,
      api_answer_ms: apiAnswerMs,
      data_loaded_ms: Math.round(load.data),
      first_map_draw_ms: Math.round(load.draw),
      map_draw_ms: Math.round(drawMs * 10) / 10,
      long_tasks_during_load: load.longTasks,
      longest_task_ms: Math.round(load.longest),
      scroll_frames: scrolling.count,
      scroll_frame_p95_ms: Math.round(scrolling.p95 * 10) / 10,
      scroll_frame_max_ms: Math.round(scrolling.max * 10) / 10,
      filter_to_redraw_ms: filterMs,
      key_to_details_ms: keyMs,
    };
    writeFileSync(join(OUTPUT, 'overview-1000-hosts.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`      1,000-host Overview: ${JSON.stringify(figures)}`);
    await page.context().close();
    assertNoProblems(panel);
  });

  it('lists the 1,000 hosts and 20,000 servers a page at a time, sorted and filtered', async () => {
    const panel = await openPanel(browser, url);
    const { page } = panel;
    await page.addInitScript({ content: NOAUTH_SESSION });
    await page.goto('/#/servers');
    await page.getByText('Displaying 20000 items').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Host', exact: true }).click();
    // vm-012300 to vm-012399.
    await page.getByRole('searchbox', { name: 'Filter servers' }).fill('vm-0123');
    await page.getByText('Displaying 100 of 20000 items').waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: 'vm-0123' }).count(), 50, 'a page of 50 rows');
    await screenshot(page, '13-servers-20000');
    await page.goto('/#/hosts');
    await page.getByText('Displaying 1000 items').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Allocation', exact: true }).click();
    assert.equal(await page.getByRole('columnheader', { name: 'Allocation' }).getAttribute('aria-sort'), 'ascending');
    await screenshot(page, '14-hosts-1000');
    await page.context().close();
    assertNoProblems(panel);
  });
});
