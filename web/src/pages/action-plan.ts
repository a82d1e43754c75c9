// One action plan: what it achieves (metrics), the hosts before and after it, its waves and
// actions, approve / start / cancel as its state allows, and live progress while it runs (the
// plan and its actions are asked for again every few seconds until it ends).

import { describeFailure, get } from '../api/client.js';
import { FINAL_PLAN_STATES, type ActionPlanView, type ActionView, type HostPicture, type HostState } from '../api/records.js';
import { element, replaceChildren } from '../dom.js';
import { duration, memory, when } from '../format.js';
import { WaveStepper } from '../plan/wave-stepper.js';
import { waveSteps } from '../plan/wave-steps.js';
import { legend } from '../ui/colours.js';
import { HostMap, type MapHost } from '../ui/host-map.js';
import { DataTable } from '../ui/table.js';
import { pageHeader, planStateBadge } from '../ui/widgets.js';
import type { Page, PageContext } from './page.js';
import { approvePlan, canApprove, canCancel, canStart, cancelPlan, progressText, startPlan } from './plan-actions.js';

/** Live migrations take a few seconds: a slower poll shows one in flight only by chance. */
const POLL_MS = 1_000;
const RUNNING = new Set(['ONGOING', 'CANCELLING']);

/** Waves count from 1 for people, as the CLI shows them; the API numbers them from 0. */
function waveNumber(wave: number): number {
  return wave + 1;
}

function definitionList(entries: Array<[string, Node | string]>): HTMLElement {
  return element('dl', { className: 'dl-horizontal' }, ...entries.flatMap(([term, value]) => [element('dt', { text: term }), element('dd', {}, value)]));
}

function actionTarget(action: ActionView): string {
  if (action.type === 'live_migrate') return `${action.source ?? '?'} → ${action.destination ?? '?'}`;
  return action.host ?? '–';
}

function typeLabel(action: ActionView): string {
  const label = action.type.replace(/_/g, ' ');
  return action.temporary ? `${label} (temporary)` : label;
}

/** An action that has not ended otherwise: planned, running or verified (never skipped, failed or cancelled). */
const stillCounts = (action: ActionView) => action.state === 'PENDING' || action.state === 'ONGOING' || action.state === 'SUCCEEDED';

/**
 * Hosts before and after, as the host map draws them; the servers that move are marked. A host
 * whose disable or power-off was skipped, failed or cancelled is not drawn as in maintenance.
 */
function pictureHosts(picture: HostPicture[], actions: ActionView[]): { before: MapHost[]; after: MapHost[] } {
  const moving = new Set(actions.filter((action) => action.type === 'live_migrate').flatMap((action) => [action.server, action.server_name]).filter((name): name is string => Boolean(name)));
  const disabled = new Set(actions.filter((action) => action.type === 'disable_compute' && stillCounts(action)).map((action) => action.host));
  const poweredOff = new Set(actions.filter((action) => action.type === 'power_off' && stillCounts(action)).map((action) => action.host));
  const before: MapHost[] = [];
  const after: MapHost[] = [];
  for (const host of picture) {
    const changed = host.before.servers.length !== host.after.servers.length || host.before.servers.some((server, index) => host.after.servers[index] !== server) || disabled.has(host.host);
    const afterState: HostState = poweredOff.has(host.host) ? 'powered_off' : disabled.has(host.host) ? 'maintenance' : host.after.servers.length ? 'active' : 'empty';
    const tone = (server: string) => (moving.has(server) ? 'moved' as const : 'normal' as const);
    before.push({ name: host.host, state: host.before.servers.length ? 'active' : 'empty', detail: null, changed, servers: host.before.servers.map((server) => ({ name: server, tone: tone(server) })), ...loadOf(host.before) });
    after.push({ name: host.host, state: afterState, detail: null, changed, servers: host.after.servers.map((server) => ({ name: server, tone: tone(server) })), ...loadOf(host.after) });
  }
  return { before, after };
}

function loadOf(load: HostPicture['before']) {
  return { vcpu_allocation: load.vcpu_allocation, memory_allocation: load.memory_allocation, cpu_usage: load.cpu_usage, memory_usage: load.memory_usage };
}

/** What the plan did, from verified actions: what happened, not what was planned. */
function doneText(plan: ActionPlanView): string {
  const done = plan.progress.done;
  const parts = [`${done.migrations} live migration(s)`, `${done.hosts_disabled} host(s) disabled`, `${done.hosts_powered_off} powered off`];
  if (done.hosts_powered_on || done.hosts_enabled) parts.push(`${done.hosts_powered_on} powered on`, `${done.hosts_enabled} enabled`);
  return parts.join(', ');
}

export function actionPlanPage(context: PageContext): Page {
  const id = context.params.id;
  const state = element('span', { className: 'plan-state' });
  const buttons = element('div', { className: 'page-actions' });
  const alerts = element('div', {});
  const summary = element('div', { className: 'panel-body' }, 'Loading…');
  const metrics = element('div', { className: 'panel-body' });
  const progress = element('div', { className: 'panel-body', attributes: { 'aria-live': 'polite' } });
  const waves = element('div', { className: 'waves' });
  const root = element('div', { className: 'plan-page', attributes: { 'data-plan-id': id } },
    pageHeader(`Action plan ${id}`, state, buttons),
    alerts,
    element('div', { className: 'panels' },
      panel('Overview', summary),
      panel('Metrics', metrics),
      panel('Progress', progress)),
  );
  const onlyChanged = element('input', { id: 'picture-only-changed', attributes: { type: 'checkbox' } });
  const before = new HostMap({ label: 'Hosts before the plan', maxViewportFraction: 0.45 });
  const after = new HostMap({ label: 'Hosts after the plan', maxViewportFraction: 0.45 });
  before.linkScrolling(after);
  const pictureSection = element('section', { className: 'panel picture', attributes: { 'aria-labelledby': 'picture-heading' } },
    element('div', { className: 'panel-heading' }, element('h2', { id: 'picture-heading', text: 'Before and after' }),
      element('label', { className: 'checkbox-inline', attributes: { for: 'picture-only-changed' } }, onlyChanged, ' Only the hosts the plan changes')),
    element('div', { className: 'panel-body' },
      legend('Before and after', [['server', 'server that stays'], ['moved', 'server the plan moves'], ['changed-host', 'host the plan changes', 'frame']]),
      element('div', { className: 'picture-pair' },
        element('div', {}, element('h3', { text: 'Before' }), before.element),
        element('div', {}, element('h3', { text: 'After' }), after.element))));
  const actionsTable = new DataTable<ActionView>({
    caption: 'Waves and actions',
    rowKey: (action) => action.id,
    pageSize: 50,
    columns: [
      { key: 'index', label: '#', numeric: true, value: (action) => action.index + 1 },
      { key: 'wave', label: 'Wave', numeric: true, value: (action) => waveNumber(action.wave) },
      { key: 'type', label: 'Type', value: typeLabel },
      { key: 'server', label: 'Server', value: (action) => action.server_name ?? action.server ?? '–' },
      { key: 'target', label: 'Hosts', value: actionTarget },
      { key: 'state', label: 'State', value: (action) => action.state, render: (action) => planStateBadge(action.state) },
      { key: 'reason', label: 'Reason', wrap: true, value: (action) => action.error ?? action.reason, render: (action) => (action.error ? element('span', { className: 'text-danger', text: action.error }) : action.reason) },
      { key: 'duration', label: 'Duration', value: (action) => action.started_at ?? '', render: (action) => duration(action.started_at, action.finished_at) },
    ],
    sortBy: { key: 'index' },
    emptyText: 'This plan has no actions.',
  });
  const stepper = new WaveStepper();
  root.append(pictureSection, stepper.element, element('section', { className: 'panel', attributes: { 'aria-label': 'Waves' } }, element('div', { className: 'panel-heading' }, element('h2', { text: 'Waves' })), waves), actionsTable.element);

  let plan: ActionPlanView | null = null;
  let actions: ActionView[] = [];
  let picture: { before: MapHost[]; after: MapHost[] } | null = null;
  /** The plan's own picture of the hosts before it, for the wave stepper. */
  let pictureBefore: HostPicture[] | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const applyPictureFilter = () => {
    const changed = onlyChanged.checked ? (host: MapHost) => host.changed === true : null;
    before.setFilter(changed);
    after.setFilter(changed);
    stepper.setFilter(changed);
  };

  /** The wave stepper follows the actions' states (a skipped disable leaves its host enabled). */
  function renderSteps(): void {
    if (!pictureBefore || !plan) return;
    try {
      stepper.setSteps(waveSteps(pictureBefore, actions, plan.metrics.waves));
    } catch (error) {
      replaceChildren(stepper.element, element('p', { className: 'alert alert-warning', text: `No wave-by-wave picture: ${error instanceof Error ? error.message : String(error)}` }));
      pictureBefore = null;
    }
  }
  onlyChanged.addEventListener('change', applyPictureFilter);

  function render(): void {
    if (!plan) return;
    root.setAttribute('data-plan-state', plan.state);
    replaceChildren(state, planStateBadge(plan.state));
    const controls: HTMLElement[] = [];
    const act = (label: string, className: string, run: () => Promise<ActionPlanView | null>) => {
      const button = element('button', { className: `btn ${className}`, text: label, attributes: { type: 'button' } });
      button.addEventListener('click', () => {
        button.disabled = true;
        void run().then((updated) => {
          if (updated) plan = updated;
          void refresh();
        }).finally(() => { button.disabled = false; });
      });
      controls.push(button);
    };
    const current = plan;
    if (canApprove(current)) act('Approve', 'btn-primary', () => approvePlan(current));
    if (canStart(current)) act('Start', 'btn-primary', () => startPlan(current));
    if (canCancel(current)) act('Cancel Plan', 'btn-danger', () => cancelPlan(current));
    replaceChildren(buttons, ...controls);

    const notes: HTMLElement[] = [];
    if (plan.stale && !FINAL_PLAN_STATES.includes(plan.state)) {
      notes.push(element('div', { className: 'alert alert-warning', attributes: { role: 'status' } }, element('strong', { text: 'Stale: ' }), `${plan.stale_reason ?? 'the cloud changed since the plan was made'}. It will not start: preview a new plan.`));
    }
    if (plan.failure_reason) notes.push(element('div', { className: `alert ${plan.state === 'FAILED' ? 'alert-error' : 'alert-info'}`, attributes: { role: 'status' } }, plan.failure_reason));
    replaceChildren(alerts, ...notes);

    replaceChildren(summary, definitionList([
      ['ID', plan.id],
      ['Goal', plan.goal],
      ['State', planStateBadge(plan.state)],
      ['Created', when(plan.created_at)],
      ['Started', when(plan.started_at)],
      ['Finished', when(plan.finished_at)],
      ['Duration', plan.started_at ? duration(plan.started_at, plan.finished_at) : '–'],
      // A plan an applier took over after the one running it stopped: its journal carried it on.
      ...(plan.resumptions ? [['Resumed', `${plan.resumptions} time(s), after the applier running it stopped`] as [string, string]] : []),
    ]));
    const m = plan.metrics;
    replaceChildren(metrics, definitionList([
      ['Active hosts', `${m.active_hosts_before} → ${m.active_hosts_after}`],
      ['Hosts freed', String(m.hosts_freed)],
      ['Hosts disabled', `${m.hosts_disabled}${m.hosts_powered_off ? `, ${m.hosts_powered_off} powered off` : ''}`],
      ['Live migrations', `${m.migrations}${m.temporary_migrations ? ` (${m.temporary_migrations} temporary)` : ''}`],
      ['Servers moved', String(m.servers_migrated)],
      ['Waves', String(m.waves)],
      ['Memory to move', memory(m.memory_to_move_mb)],
      ['Power', `${Math.round(m.power_before_w)} W → ${Math.round(m.power_after_w)} W (saves ${Math.round(m.power_saved_w)} W)`],
      ['Hosts over limits', `${m.hosts_over_limits_before} → ${m.hosts_over_limits_after}`],
      ...(plan.started_at ? [['Done so far (verified)', doneText(plan)] as [string, string]] : []),
    ]));

    const counts = plan.progress.counts;
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    // The bar shows what has finished, whatever the outcome; the text says how each ended.
    const done = total - counts.PENDING - counts.ONGOING;
    replaceChildren(progress,
      element('div', { className: 'progress', attributes: { role: 'progressbar', 'aria-label': 'Actions finished', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-valuetext': progressText(plan) } },
        element('div', { className: `progress-bar${counts.FAILED ? ' failed' : ''}`, attributes: { style: `width:${total ? (100 * done / total).toFixed(1) : 0}%` } })),
      element('p', { className: 'progress-text', text: `${progressText(plan)}${plan.progress.current_wave !== null ? `; wave ${waveNumber(plan.progress.current_wave)} of ${plan.progress.waves}` : `; ${plan.progress.waves} waves`}` }),
      definitionList([
        ['Migrations done', String(actions.filter((action) => action.type === 'live_migrate' && action.state === 'SUCCEEDED').length)],
        ['Failed', String(counts.FAILED)],
        ['Pending', String(counts.PENDING)],
        ['Skipped', String(counts.SKIPPED)],
        ['Cancelled', String(counts.CANCELLED)],
      ]),
      element('h3', { text: 'Live migrations in flight' }),
      plan.progress.transfers.length
        ? element('ul', { className: 'transfers' }, ...plan.progress.transfers.map((transfer) => element('li', { text: `${transfer.server}: ${transfer.source} → ${transfer.destination}` })))
        : element('p', { className: 'help-block', text: RUNNING.has(plan.state) ? 'None right now (between waves).' : 'None.' }),
    );

    const byWave = new Map<number, ActionView[]>();
    for (const action of actions) byWave.set(action.wave, [...(byWave.get(action.wave) ?? []), action]);
    replaceChildren(waves, byWave.size
      ? element('ol', { className: 'wave-list' }, ...[...byWave].sort(([a], [b]) => a - b).map(([wave, members]) => {
        const states = new Map<string, number>();
        for (const action of members) states.set(action.state, (states.get(action.state) ?? 0) + 1);
        const current = plan?.progress.current_wave === wave && RUNNING.has(plan.state);
        return element('li', { className: current ? 'wave current' : 'wave', attributes: { 'aria-current': current ? 'step' : null } },
          element('strong', { text: `Wave ${waveNumber(wave)}` }), `: ${members.length} action${members.length === 1 ? '' : 's'} (${[...new Set(members.map(typeLabel))].join(', ')}) — `,
          [...states].map(([name, count]) => `${count} ${name}`).join(', '));
      }))
      : element('p', { className: 'panel-body help-block', text: 'No waves.' }));
    actionsTable.setRows(actions);
  }

  async function refresh(): Promise<void> {
    try {
      const [found, listed] = await Promise.all([
        get<ActionPlanView>(`v1/action_plans/${encodeURIComponent(id)}`),
        get<{ actions: ActionView[] }>(`v1/actions?action_plan=${encodeURIComponent(id)}`),
      ]);
      plan = found;
      actions = listed.actions;
      render();
      renderSteps();
    } catch (error) {
      replaceChildren(alerts, element('div', { className: 'alert alert-error', attributes: { role: 'alert' } }, `Cannot load action plan ${id}: ${describeFailure(error)}`));
    }
    if (disposed) return;
    clearTimeout(timer);
    // Ask again while it runs (and just after a start, while the applier picks it up).
    if (plan && (RUNNING.has(plan.state) || plan.state === 'APPROVED')) timer = setTimeout(() => { void refresh(); }, POLL_MS);
  }

  async function loadPicture(): Promise<void> {
    try {
      const answer = await get<{ hosts: HostPicture[] }>(`v1/action_plans/${encodeURIComponent(id)}/picture`);
      picture = pictureHosts(answer.hosts, actions);
      pictureBefore = answer.hosts;
      // With many hosts, start with the ones the plan changes: those are what there is to check.
      onlyChanged.checked = picture.before.length > 60;
      before.setHosts(picture.before);
      after.setHosts(picture.after);
      applyPictureFilter();
      renderSteps();
    } catch (error) {
      replaceChildren(pictureSection, element('p', { className: 'alert alert-warning', text: `No before/after picture: ${describeFailure(error)}` }));
    }
  }

  void refresh().then(loadPicture);
  return {
    element: root,
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
      before.dispose();
      after.dispose();
      stepper.dispose();
    },
  };
}

function panel(title: string, body: HTMLElement): HTMLElement {
  const headingId = `panel-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return element('section', { className: 'panel', attributes: { 'aria-labelledby': headingId } },
    element('div', { className: 'panel-heading' }, element('h2', { id: headingId, text: title })), body);
}
