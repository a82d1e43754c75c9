// Action plans: newest first, filtered by state, with what each does (hosts freed, migrations,
// waves), its progress, and approve / start / cancel as row actions.

import { describeFailure, get } from '../api/client.js';
import { FINAL_PLAN_STATES, PLAN_STATES, type ActionPlanView } from '../api/records.js';
import { element } from '../dom.js';
import { when } from '../format.js';
import { DataTable } from '../ui/table.js';
import { pageHeader, planLink, planStateBadge } from '../ui/widgets.js';
import type { Page, PageContext } from './page.js';
import { approvePlan, canApprove, canCancel, canStart, cancelPlan, progressText, startPlan } from './plan-actions.js';

const REFRESH_MS = 10_000;

export function actionPlansPage(context: PageContext): Page {
  const stateFilter = element('select', { className: 'form-control', attributes: { 'aria-label': 'Show plans in state' } },
    element('option', { text: 'All states', attributes: { value: '' } }),
    ...PLAN_STATES.map((state) => element('option', { text: state, attributes: { value: state } })));
  stateFilter.value = context.query.get('state') ?? '';
  const table = new DataTable<ActionPlanView>({
    caption: 'Action plans',
    rowKey: (plan) => plan.id,
    filters: [stateFilter],
    columns: [
      { key: 'id', label: 'ID', value: (plan) => plan.id, render: (plan) => planLink(plan.id) },
      { key: 'goal', label: 'Goal', value: (plan) => plan.goal },
      { key: 'state', label: 'State', value: (plan) => plan.state, render: (plan) => element('span', {}, planStateBadge(plan.state), plan.stale && !FINAL_PLAN_STATES.includes(plan.state) ? element('span', { className: 'badge stale', text: 'stale' }) : '') },
      { key: 'created', label: 'Created', value: (plan) => plan.created_at, render: (plan) => when(plan.created_at) },
      { key: 'hosts_freed', label: 'Hosts freed', numeric: true, value: (plan) => plan.metrics.hosts_freed },
      { key: 'migrations', label: 'Migrations', numeric: true, value: (plan) => plan.metrics.migrations },
      { key: 'waves', label: 'Waves', numeric: true, value: (plan) => plan.metrics.waves },
      { key: 'power_saved', label: 'Power saved', numeric: true, value: (plan) => plan.metrics.power_saved_w, render: (plan) => `${Math.round(plan.metrics.power_saved_w)} W` },
      { key: 'progress', label: 'Progress', value: progressText, sortable: false, wrap: true },
    ],
    actions: [
      { label: 'Approve', appliesTo: canApprove, run: (plan) => { void approvePlan(plan).then(load); } },
      { label: 'Start', appliesTo: canStart, run: (plan) => { void startPlan(plan).then(load); } },
      { label: 'Cancel plan', danger: true, appliesTo: canCancel, run: (plan) => { void cancelPlan(plan).then(load); } },
      { label: 'Show plan', run: (plan) => context.navigate(`/action_plans/${plan.id}`) },
    ],
    emptyText: 'No action plans: preview one from a policy (Policies, "Preview plan"), or drain a host.',
    sortBy: { key: 'created', descending: true },
  });
  stateFilter.addEventListener('change', () => { void load(); });

  function load(): Promise<void> {
    const query = stateFilter.value ? `?state=${encodeURIComponent(stateFilter.value)}` : '';
    return get<{ action_plans: ActionPlanView[] }>(`v1/action_plans${query}`).then((answer) => table.setRows(answer.action_plans), (error: unknown) => table.showError(describeFailure(error)));
  }

  void load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') void load(); }, REFRESH_MS);
  return { element: element('div', {}, pageHeader('Action plans'), table.element), dispose: () => clearInterval(timer) };
}
