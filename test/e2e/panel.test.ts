// The panel end to end, in headless Chromium, against `ulm serve` (started by scripts/e2e with
// Keystone authentication) on the loopback cloud of scripts/dev-cloud: log in as the dev cloud's
// admin, create a policy with a bad field and see the error by that field, create it right, a
// window and an exemption the same way, preview a plan from the policy, approve it, start it and
// watch it finish, bring the emptied host back with its servers (undrain, rebalance back), drain
// and undrain a host, schedule a host's maintenance and cancel it, sign out. Every page leaves a screenshot in test-output/e2e/. The cloud is
// left as found where the tests touched it: the placement is read with python-openstackclient
// before and after, and what the tests' plans moved or disabled is put back even when they fail.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { isFinalPlanState, type PlanState } from '../../core/plan/states.js';
import { isIdempotentMethod } from '../../openstack/retry.js';
import { CLOUD, openstack, openstackAction, sleep, STATE } from '../functional/dev-cloud.js';
import { assertNoProblems, launchBrowser, openPanel, screenshot, type PanelPage } from './browser.js';

const URL = process.env.ULM_E2E_URL;
/** Chromium reports refused API calls (the bad policy's 400, the wrong password's 401) as console errors: they are the tests' own. */
const EXPECTED_REFUSALS = [/Failed to load resource: the server responded with a status of 40[01]/];
const PLAN_TIMEOUT_MS = 600_000;

interface OscServer { ID: string; Name: string; Status: string; 'Task State': string | null; Host: string }
interface OscService { Host: string; Status: string; State: string }
interface Credentials { username: string; password: string; project_name: string; user_domain_name?: string }
interface PlanRecord { id: string; state: string; metrics: { migrations: number; hosts_freed: number } }
interface ActionRecord { type: string; state: string; server: string | null; host: string | null; source: string | null; destination: string | null }

/** Server id -> host, as Nova says. */
function placement(): Map<string, string> {
  return new Map(openstack<OscServer[]>(['server', 'list', '--all-projects', '--long']).map((server) => [server.ID, server.Host]));
}

function disabledHosts(): Set<string> {
  return new Set(openstack<OscService[]>(['compute', 'service', 'list', '--service', 'nova-compute']).filter((service) => service.Status === 'disabled').map((service) => service.Host));
}

/** Others use this cloud too: start when no live migration is in flight. */
async function quietCloud(): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const busy = openstack<OscServer[]>(['server', 'list', '--all-projects', '--long']).filter((server) => server.Status === 'MIGRATING' || (server['Task State'] && server['Task State'] !== 'None'));
    if (!busy.length) return;
    await sleep(5000);
  }
  throw new Error('the loopback cloud stayed busy (servers MIGRATING) for 10 minutes');
}

function adminCredentials(): Credentials {
  const clouds = parseYaml(readFileSync(join(STATE, 'clouds.yaml'), 'utf8')) as { clouds: Record<string, { auth: Credentials }> };
  const auth = clouds.clouds[CLOUD]?.auth;
  if (!auth?.password) throw new Error(`${STATE}/clouds.yaml has no password for ${CLOUD}`);
  return auth;
}

describe('the panel with Keystone login, against ulm serve on the loopback cloud', function () {
  this.timeout(1_800_000);
  let browser: Browser;
  let panel: PanelPage;
  let page: Page;
  let credentials: Credentials;
  let token = '';
  const policyName = `ulm-e2e-${Date.now().toString(36)}`;
  let placementBefore: Map<string, string>;
  let disabledBefore: Set<string>;
  /** Plans the tests ran: their moves and disabled hosts are undone in `after` if still there. */
  const plansRun: string[] = [];

  /** The API as the panel uses it, with this test's own Keystone token (for checks and clean-up). */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const send = () => fetch(`${URL}${path}`, { method, headers: { 'X-Auth-Token': token, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    // The synchronous openstack calls block this process for seconds: a keep-alive connection
    // ulm serve closed meanwhile is found closed only when fetch reuses it. Browsers send an
    // idempotent request again on such a connection; so does this helper, once.
    const response = await send().catch((error: unknown) => {
      const closedConnection = (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET';
      if (closedConnection && isIdempotentMethod(method)) return send();
      throw error;
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function actionsOf(plan: string): Promise<ActionRecord[]> {
    return (await api<{ actions: ActionRecord[] }>('GET', `/v1/actions?action_plan=${plan}`)).actions;
  }

  /**
   * The cloud is as it was where these tests touched it: every server their plans moved is back
   * on its host, every host they disabled is enabled. (Others may use the cloud meanwhile: what
   * they change is theirs to put back.)
   */
  async function assertRestored(): Promise<void> {
    await quietCloud();
    const moved = new Set<string>();
    const disabled = new Set<string>();
    for (const plan of plansRun) {
      for (const action of await actionsOf(plan)) {
        if (action.type === 'live_migrate' && action.server) moved.add(action.server);
        if (action.type === 'disable_compute' && action.state === 'SUCCEEDED' && action.host) disabled.add(action.host);
      }
    }
    const now = placement();
    assert.deepEqual([...moved].filter((id) => now.get(id) !== placementBefore.get(id)).map((id) => `${id} on ${now.get(id)}, was on ${placementBefore.get(id)}`), [], 'every server the plans moved is back on the host it was on');
    const stillDisabled = disabledHosts();
    assert.deepEqual([...disabled].filter((host) => stillDisabled.has(host) && !disabledBefore.has(host)), [], 'every host the plans disabled is enabled again');
  }

  /** Follows the plan page until the plan ends; returns the progress lines and live migrations seen on the way. */
  async function watchPlan(name: string, ongoingShot?: string): Promise<{ state: string; progress: string[]; transfers: string[] }> {
    const seen: string[] = [];
    const transfers = new Set<string>();
    const deadline = Date.now() + PLAN_TIMEOUT_MS;
    let shot: 'none' | 'ongoing' | 'transfer' = 'none';
    while (Date.now() < deadline) {
      const state = await page.locator('.plan-page').getAttribute('data-plan-state');
      const line = await page.locator('.progress-text').textContent().catch(() => null);
      if (line && seen[seen.length - 1] !== line) seen.push(line);
      const inFlight = await page.locator('.transfers li').allInnerTexts();
      for (const transfer of inFlight) transfers.add(transfer);
      // The first ONGOING look, replaced by one with a live migration in flight when there is one.
      if (state === 'ONGOING' && ongoingShot && (shot === 'none' || (shot === 'ongoing' && inFlight.length))) {
        await screenshot(page, ongoingShot);
        shot = inFlight.length ? 'transfer' : 'ongoing';
      }
      if (state && isFinalPlanState(state as PlanState)) return { state, progress: seen, transfers: [...transfers] };
      // Faster than the page's own poll, so that no state it shows (a move in flight: about a second) goes unseen.
      await sleep(250);
    }
    throw new Error(`${name}: the plan did not end within ${PLAN_TIMEOUT_MS / 60_000} minutes; progress seen: ${seen.join(' | ')}`);
  }

  async function goTo(section: string, heading: string): Promise<void> {
    // A dialog left open by a failed step would block the navigation of every later test.
    if (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section, exact: true }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  }

  /** Follows the plan link of the newest flash message to the plan's page. */
  async function openFlashedPlan(): Promise<string> {
    const link = page.locator('.flash-messages').getByRole('link', { name: /^action plan / }).first();
    await link.waitFor();
    await link.click();
    await page.locator('.plan-page[data-plan-state]').waitFor();
    const id = await page.locator('.plan-page').getAttribute('data-plan-id');
    assert.ok(id);
    plansRun.push(id);
    return id;
  }

  /** Waits for the hosts view (the latest snapshot, collected after each plan) to show a state. */
  async function waitForHostState(host: string, state: RegExp): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt++) {
      await goTo('Hosts', 'Hosts');
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: host, exact: true }) });
      if (state.test(await row.locator('[data-column="state"]').innerText())) return;
      await sleep(3000);
    }
    throw new Error(`${host} never showed ${state} on the Hosts page`);
  }

  before(async function () {
    if (!URL) throw new Error('ULM_E2E_URL is not set: run npm run test:e2e (scripts/e2e starts ulm serve and sets it)');
    credentials = adminCredentials();
    await quietCloud();
    placementBefore = placement();
    disabledBefore = disabledHosts();
    browser = await launchBrowser();
    panel = await openPanel(browser, URL);
    page = panel.page;
  });

  after(async () => {
    await browser?.close();
    if (!token) return;
    // Whatever happened above, put back what the tests' plans moved or disabled, and only that:
    // others may be using the cloud too.
    try {
      await api('DELETE', `/v1/policies/${policyName}?with_windows=true`).catch(() => undefined);
      const moved = new Set<string>();
      const disabled = new Set<string>();
      for (const plan of plansRun) {
        await api('POST', `/v1/action_plans/${plan}/cancel`).catch(() => undefined);
        for (const action of await actionsOf(plan).catch(() => [])) {
          if (action.type === 'live_migrate' && action.server) moved.add(action.server);
          if (action.type === 'disable_compute' && action.state === 'SUCCEEDED' && action.host) disabled.add(action.host);
        }
      }
      await quietCloud();
      const stillDisabled = disabledHosts();
      for (const host of disabled) {
        if (stillDisabled.has(host) && !disabledBefore.has(host)) openstackAction(['compute', 'service', 'set', '--enable', host, 'nova-compute']);
      }
      const now = placement();
      for (const id of moved) {
        const was = placementBefore.get(id);
        if (was && now.get(id) && now.get(id) !== was) openstackAction(['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', was, id]);
      }
      await quietCloud();
    } catch (error) {
      console.error(`      clean-up of the loopback cloud failed: ${(error as Error).message}`);
    }
  });

  it('sends a visitor without a session to the login page, and refuses wrong credentials', async () => {
    await page.goto('/#/hosts');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.match(page.url(), /#\/login\?next=%2Fhosts$/);
    await page.getByLabel('User Name').fill(credentials.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByLabel('Domain').fill(credentials.user_domain_name ?? 'Default');
    await page.getByLabel('Project', { exact: true }).fill(credentials.project_name);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid credentials' }).waitFor();
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is cleared');
    await screenshot(page, '20-login-refused');
  });

  it('logs in as the dev cloud\'s admin through Keystone and lands on the page asked for', async () => {
    await page.getByLabel('Password').fill(credentials.password);
    await screenshot(page, '21-login');
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.getByRole('heading', { name: 'Hosts', level: 1 }).waitFor();
    const topBar = await page.locator('.topbar').innerText();
    assert.match(topBar, new RegExp(`Project: ${credentials.project_name}`));
    assert.match(topBar, new RegExp(`User: ${credentials.username}`));
    token = await page.evaluate('JSON.parse(sessionStorage.getItem("ulm.session")).token') as string;
    assert.match(token, /^\S{20,}$/, 'a Keystone token in sessionStorage');
    const hypervisors = openstack<unknown[]>(['hypervisor', 'list']).length;
    await page.getByText(`Displaying ${hypervisors} items`).waitFor();
    await screenshot(page, '22-hosts');

    await goTo('Overview', 'Overview');
    await page.locator('.host-map[data-drawn="true"]').waitFor();
    assert.equal(await page.locator('.host-map').getAttribute('data-hosts'), String(hypervisors));
    await page.getByRole('region', { name: 'Cloud' }).getByText('Reachable').waitFor();
    await screenshot(page, '23-overview');
  });

  it('serves the panel with its security headers, and the panel renders under them (no CSP violation)', async () => {
    // Counts what the browser refuses under the policy (a style attribute, a script) from the reload on.
    await page.addInitScript('window.__cspViolations = []; document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI))');
    const response = await page.reload();
    assert.ok(response, 'the reload answered');
    const headers = response.headers();
    const policy = headers['content-security-policy'] ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) assert.ok(policy.includes(directive), `CSP has ${directive}: ${policy}`);
    assert.ok(!/script-src[^;]*'unsafe-inline'/.test(policy), 'no inline script allowed');
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    // The panel still draws under that policy; a refused script or style would be a console error, which every test checks.
    await page.locator('.host-map[data-drawn="true"]').waitFor();
    await page.getByRole('region', { name: 'Cloud' }).getByText('Reachable').waitFor();
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  });

  it('creates a policy: a bad field shows its error by that field, the right value is accepted', async () => {
    await goTo('Policies', 'Policies');
    await page.getByRole('button', { name: '+ Create Policy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Policy' });
    await dialog.getByLabel('Name', { exact: true }).fill(policyName);
    await dialog.getByLabel('Description').fill('e2e: consolidate, two live migrations at most');
    await dialog.getByLabel('Goal', { exact: true }).selectOption('consolidate');
    await dialog.getByLabel('Max host CPU', { exact: true }).fill('1.5');
    await dialog.getByLabel('Max parallel migrations', { exact: true }).fill('1');
    // Few migrations: each takes 7 to 15 s on the loopback cloud.
    await dialog.getByLabel('Max migrations', { exact: true }).fill('2');
    await dialog.locator('summary', { hasText: 'Metrics' }).click();
    await dialog.getByLabel('Missing', { exact: true }).selectOption('use_allocations');
    await dialog.getByRole('button', { name: 'Create Policy' }).click();

    const error = page.locator('#field-document-max_host_cpu-error');
    await error.waitFor();
    assert.match(await error.innerText(), /expected a number > 0 and <= 1, got 1\.5/);
    assert.equal(await dialog.getByLabel('Max host CPU', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match(await dialog.getByRole('alert').innerText(), /a field needs correcting/);
    await screenshot(page, '24-policy-bad-field');

    await dialog.getByLabel('Max host CPU', { exact: true }).fill('0.9');
    await dialog.getByRole('button', { name: 'Create Policy' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Created policy "${policyName}".`).waitFor();
    const stored = await api<{ document: Record<string, unknown> }>('GET', `/v1/policies/${policyName}`);
    assert.deepEqual(stored.document, { goal: 'consolidate', max_host_cpu: 0.9, max_parallel_migrations: 1, max_migrations: 2, metrics: { missing: 'use_allocations' } });
    await page.getByRole('row').filter({ hasText: policyName }).waitFor();
    await screenshot(page, '25-policies');

    // Edit: the same generated form, filled with the stored document.
    const row = page.getByRole('row').filter({ hasText: policyName });
    await row.getByRole('button', { name: 'More actions' }).click();
    await row.getByRole('menuitem', { name: 'Edit policy' }).click();
    const edit = page.getByRole('dialog', { name: `Edit Policy "${policyName}"` });
    assert.equal(await edit.getByLabel('Max host CPU', { exact: true }).inputValue(), '0.9');
    assert.equal(await edit.getByLabel('Missing', { exact: true }).inputValue(), 'use_allocations');
    await edit.getByLabel('Description').fill('e2e: consolidate, at most two live migrations, one at a time');
    await edit.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByText(`Updated policy "${policyName}".`).waitFor();
    assert.deepEqual((await api<{ document: Record<string, unknown> }>('GET', `/v1/policies/${policyName}`)).document, stored.document, 'the document is unchanged');
  });

  it('creates a window for the policy the same way (error on the schedule first), and deletes it', async () => {
    await goTo('Windows', 'Windows');
    await page.getByRole('button', { name: '+ Create Window' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Window' });
    await dialog.getByLabel('Policy', { exact: true }).selectOption({ label: policyName });
    await dialog.getByLabel('Name', { exact: true }).fill('e2e-nights');
    await dialog.getByLabel('Opens', { exact: true }).fill('funday 20:00');
    await dialog.getByLabel('Closes', { exact: true }).fill('07:00');
    await dialog.getByLabel('Timezone', { exact: true }).fill('Europe/Berlin');
    // Never opens by itself while the tests run.
    await dialog.getByLabel('Enabled', { exact: true }).selectOption('false');
    await dialog.getByRole('button', { name: 'Create Window' }).click();
    const error = page.locator('#field-window-opens-error');
    await error.waitFor();
    assert.match(await error.innerText(), /"funday 20:00" is not a schedule/);
    await screenshot(page, '26-window-bad-field');
    await dialog.getByLabel('Opens', { exact: true }).fill('weekdays 20:00');
    await dialog.getByRole('button', { name: 'Create Window' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'e2e-nights' });
    await row.waitFor();
    assert.match(await row.innerText(), /weekdays 20:00\s+07:00\s+Europe\/Berlin/);
    await screenshot(page, '27-windows');
    await row.getByRole('button', { name: 'Delete window' }).click();
    await page.getByRole('dialog', { name: 'Confirm Delete Window' }).getByRole('button', { name: 'Delete Window' }).click();
    await page.getByText('Deleted window "e2e-nights".').waitFor();
    await row.waitFor({ state: 'detached' });
  });

  it('sets an exemption on a server and removes it', async () => {
    await goTo('Servers', 'Servers');
    const server = 'vm-12';
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: server, exact: true }) });
    await row.getByRole('button', { name: 'Set exemption' }).click();
    const dialog = page.getByRole('dialog', { name: `Set Exemption for ${server}` });
    await dialog.getByLabel('Kind', { exact: true }).selectOption('never');
    await dialog.getByLabel('Reason', { exact: true }).fill('e2e: licence bound to the host');
    await dialog.getByRole('button', { name: 'Set Exemption' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('never moves (e2e: licence bound to the host)').waitFor();
    await screenshot(page, '28-servers-exemption');
    await row.getByRole('button', { name: 'More actions' }).click();
    await row.getByRole('menuitem', { name: 'Remove exemptions' }).click();
    await page.getByRole('dialog', { name: 'Confirm Remove Exemptions' }).getByRole('button', { name: 'Remove Exemptions' }).click();
    await page.getByText(`Removed the exemptions of ${server}.`).waitFor();
    await row.locator('[data-column="exemptions"]', { hasText: '–' }).waitFor();
  });

  let consolidation: PlanRecord;

  it('previews a plan from the policy row, with the hosts before and after', async () => {
    await goTo('Policies', 'Policies');
    await page.getByRole('row').filter({ hasText: policyName }).getByRole('button', { name: 'Preview plan' }).click();
    await page.locator('.plan-page[data-plan-state="RECOMMENDED"]').waitFor({ timeout: 120_000 });
    const id = await page.locator('.plan-page').getAttribute('data-plan-id');
    assert.ok(id);
    plansRun.push(id);
    consolidation = await api<PlanRecord>('GET', `/v1/action_plans/${id}`);
    assert.ok(consolidation.metrics.migrations >= 1 && consolidation.metrics.migrations <= 2, `1 or 2 live migrations (max_migrations 2), got ${consolidation.metrics.migrations}`);
    assert.ok(consolidation.metrics.hosts_freed >= 1, 'the plan frees a host');
    await page.locator('.picture .host-map[data-drawn="true"]').nth(1).waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: 'live migrate' }).count(), consolidation.metrics.migrations);
    await screenshot(page, '29-plan-preview');
  });

  it('approves it, starts it and follows it live to SUCCEEDED on the loopback cloud', async () => {
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.plan-page[data-plan-state="APPROVED"]').waitFor();
    await page.getByText(/Approved action plan/).waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    const outcome = await watchPlan('consolidation', '30-plan-ongoing');
    assert.equal(outcome.state, 'SUCCEEDED', `the plan ended ${outcome.state}: ${outcome.progress.join(' | ')}`);
    assert.ok(outcome.progress.length >= 2, `the progress changed live, without a reload: ${outcome.progress.join(' | ')}`);
    assert.ok(outcome.transfers.length >= 1, 'a live migration in flight was shown while it ran');
    assert.match(outcome.progress[outcome.progress.length - 1], /^(\d+) of \1 actions succeeded/);
    await screenshot(page, '31-plan-succeeded');

    const actions = await actionsOf(consolidation.id);
    // A host someone else disabled meanwhile is skipped, and left alone: only those ulm disabled count.
    const emptied = actions.filter((action) => action.type === 'disable_compute' && action.state === 'SUCCEEDED').map((action) => action.host!);
    assert.ok(emptied.length >= 1, 'a host was emptied and disabled');
    const moved = placement();
    for (const action of actions.filter((candidate) => candidate.type === 'live_migrate')) assert.equal(moved.get(action.server!), action.destination, `Nova has ${action.server} on ${action.destination}`);
    for (const host of emptied) assert.ok(disabledHosts().has(host), `nova-compute on ${host} is disabled`);
    await waitForHostState(emptied[0], /Maintenance/);
    await screenshot(page, '32-hosts-maintenance');
  });

  it('brings the emptied host back, rebalancing its servers back, and the cloud is as it was', async () => {
    const actions = await actionsOf(consolidation.id);
    for (const host of actions.filter((action) => action.type === 'disable_compute' && action.state === 'SUCCEEDED').map((action) => action.host!)) {
      await goTo('Hosts', 'Hosts');
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: host, exact: true }) });
      await row.getByRole('button', { name: 'Undrain host' }).click();
      const dialog = page.getByRole('dialog', { name: `Undrain Host ${host}` });
      assert.equal(await dialog.getByLabel('Rebalance back').isChecked(), true);
      await screenshot(page, '33-undrain-dialog');
      await dialog.getByRole('button', { name: 'Undrain Host' }).click();
      await openFlashedPlan();
      const outcome = await watchPlan(`rebalancing ${host} back`);
      assert.equal(outcome.state, 'SUCCEEDED', outcome.progress.join(' | '));
      await screenshot(page, '34-rebalance-succeeded');
    }
    await assertRestored();
  });

  it('drains a host (with confirmation) and undrains it, rebalancing back', async () => {
    // The host with the fewest servers, all of them movable: two live migrations or so.
    const hosts = (await api<{ hosts: Array<{ name: string; state: string; servers: number }> }>('GET', '/v1/hosts')).hosts;
    const servers = (await api<{ servers: Array<{ host: string; migratable: boolean }> }>('GET', '/v1/servers')).servers;
    const candidates = hosts.filter((host) => host.state === 'active' && host.servers > 0 && servers.every((server) => server.host !== host.name || server.migratable));
    candidates.sort((a, b) => a.servers - b.servers || a.name.localeCompare(b.name));
    const host = candidates[0]?.name;
    assert.ok(host, 'a host with movable servers to drain');

    await goTo('Hosts', 'Hosts');
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: host, exact: true }) });
    await row.getByRole('button', { name: 'Drain host' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm Drain Host' });
    assert.match(await confirm.innerText(), new RegExp(`You have selected "${host}"`));
    await screenshot(page, '35-drain-confirm');
    await confirm.getByRole('button', { name: 'Drain Host' }).click();
    await openFlashedPlan();
    const drained = await watchPlan(`draining ${host}`, '36-drain-ongoing');
    assert.equal(drained.state, 'SUCCEEDED', drained.progress.join(' | '));
    assert.ok(disabledHosts().has(host), `nova-compute on ${host} is disabled`);
    assert.deepEqual([...placement()].filter(([, on]) => on === host), [], `${host} is empty`);
    await waitForHostState(host, /Maintenance/);

    const maintenanceRow = page.getByRole('row').filter({ has: page.getByRole('cell', { name: host, exact: true }) });
    await maintenanceRow.getByRole('button', { name: 'Undrain host' }).click();
    await page.getByRole('dialog', { name: `Undrain Host ${host}` }).getByRole('button', { name: 'Undrain Host' }).click();
    await openFlashedPlan();
    const back = await watchPlan(`rebalancing ${host} back`);
    assert.equal(back.state, 'SUCCEEDED', back.progress.join(' | '));
    await screenshot(page, '37-undrain-succeeded');
    await assertRestored();
    assert.ok(!disabledHosts().has(host), `${host} is enabled again`);
    await waitForHostState(host, /Active/);
  });

  it('schedules a maintenance of a host from its row (a past time refused by its field), shows it on the overview, and cancels it', async () => {
    const hosts = (await api<{ hosts: Array<{ name: string; state: string }> }>('GET', '/v1/hosts')).hosts.filter((candidate) => candidate.state === 'active');
    const host = hosts.map((candidate) => candidate.name).sort()[0];
    assert.ok(host, 'an active host');
    // datetime-local values, in the browser's (and this machine's) time zone.
    const local = (epoch: number) => { const date = new Date(epoch); const two = (value: number) => String(value).padStart(2, '0'); return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`; };
    const tomorrow = Date.now() + 24 * 3_600_000;

    await goTo('Hosts', 'Hosts');
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: host, exact: true }) });
    const direct = row.getByRole('button', { name: 'Schedule maintenance' });
    if (await direct.count()) await direct.click();
    else {
      await row.getByRole('button', { name: 'More actions' }).click();
      await row.getByRole('menuitem', { name: 'Schedule maintenance' }).click();
    }
    const dialog = page.getByRole('dialog', { name: `Schedule Maintenance of ${host}` });
    await dialog.getByLabel('Out of service by').fill(local(Date.now() - 3_600_000));
    await dialog.getByRole('button', { name: 'Schedule Maintenance' }).click();
    await dialog.getByText(/is in the past/).waitFor();
    await dialog.getByLabel('Out of service by').fill(local(tomorrow));
    await dialog.getByLabel('Back in service at').fill(local(tomorrow + 2 * 3_600_000));
    await dialog.getByLabel('Power off').check();
    await screenshot(page, '37a-schedule-maintenance');
    await dialog.getByRole('button', { name: 'Schedule Maintenance' }).click();
    await page.getByText(`Scheduled maintenance of ${host}`).waitFor();
    const [scheduled] = (await api<{ maintenances: Array<{ id: string; hosts: string[]; power_off: boolean; until: string | null }> }>('GET', `/v1/maintenances?host=${host}&active=true`)).maintenances;
    assert.deepEqual([scheduled.hosts, scheduled.power_off, Boolean(scheduled.until)], [[host], true, true]);

    await goTo('Overview', 'Overview');
    await page.getByRole('region', { name: 'Maintenances' }).getByText(new RegExp(`Next: ${host}: scheduled`)).waitFor();
    await screenshot(page, '37b-overview-maintenance');

    await goTo('Hosts', 'Hosts');
    const maintenances = page.getByRole('table', { name: 'Scheduled maintenances' });
    await maintenances.getByRole('row').filter({ hasText: host }).getByRole('button', { name: 'Cancel maintenance' }).click();
    await page.getByRole('dialog', { name: 'Confirm Cancel Maintenance' }).getByRole('button', { name: 'Cancel Maintenance' }).click();
    await page.getByText(`Cancelled the maintenance of ${host}.`).waitFor();
    assert.equal((await api<{ state: string }>('GET', `/v1/maintenances/${scheduled.id}`)).state, 'CANCELLED');
  });

  it('lists the plans it ran by state, and shows each', async () => {
    await goTo('Action plans', 'Action plans');
    await page.getByRole('combobox', { name: 'Show plans in state' }).selectOption('SUCCEEDED');
    for (const id of plansRun) await page.getByRole('link', { name: `action plan ${id}` }).waitFor();
    await screenshot(page, '38-action-plans');
  });

  it('deletes the policy after confirmation', async () => {
    await goTo('Policies', 'Policies');
    const row = page.getByRole('row').filter({ hasText: policyName });
    await row.getByRole('button', { name: 'More actions' }).click();
    await row.getByRole('menuitem', { name: 'Delete policy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm Delete Policy' });
    await screenshot(page, '39-delete-policy-confirm');
    await confirm.getByRole('button', { name: 'Delete Policy' }).click();
    await page.getByText(`Deleted policy "${policyName}".`).waitFor();
    await row.waitFor({ state: 'detached' });
  });

  it('signs out (the panel forgets the token), and a refused token leads back to the login page', async () => {
    await page.getByRole('button', { name: 'Sign Out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("ulm.session")'), null);
    await screenshot(page, '40-signed-out');
    // A session whose token Keystone does not know: the first API call's 401 sends the user to log in.
    await page.evaluate(`sessionStorage.setItem('ulm.session', JSON.stringify({ token: 'gAAAAA-not-a-token', expiresAt: null, userName: 'admin', projectName: 'admin', roles: [] }))`);
    await page.goto('/#/servers');
    await page.getByText('Your session has expired or was revoked. Please log in again.').waitFor();
    assert.match(page.url(), /#\/login\?next=%2Fservers$/);
    assertNoProblems(panel, EXPECTED_REFUSALS);
  });
});
