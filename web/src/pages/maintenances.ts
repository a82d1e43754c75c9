// Scheduled maintenances in the panel: the form that schedules one for a host (at, until,
// power off), the table of those not ended with Cancel, and the overview's card.

import { ApiFailure, describeFailure, get, post, request } from '../api/client.js';
import type { MaintenanceView } from '../api/records.js';
import { element } from '../dom.js';
import { when } from '../format.js';
import { plainField } from '../forms/record-form.js';
import { flash } from '../ui/flash.js';
import { confirmAction, openModal } from '../ui/modal.js';
import { DataTable } from '../ui/table.js';
import { hostName, planLink } from '../ui/widgets.js';

const STATE_LABELS: Record<MaintenanceView['state'], string> = {
  SCHEDULED: 'Scheduled', DRAINING: 'Draining', DRAINED: 'Drained, waiting to power off', POWERING_OFF: 'Powering off',
  IN_MAINTENANCE: 'In maintenance', RESTORING: 'Restoring', DONE: 'Done', FAILED: 'Failed', CANCELLED: 'Cancelled',
};

/** A `datetime-local` value (the browser's time zone) as ISO 8601 UTC; null when empty. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const time = new Date(value).getTime();
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

/** One line for a maintenance: hosts, state and times. */
export function describeMaintenance(view: MaintenanceView): string {
  return `${view.hosts.join(', ')}: ${STATE_LABELS[view.state].toLowerCase()}, out of service by ${when(view.at)}${view.until ? `, back ${when(view.until)}` : ''}${view.power_off ? ', powered off' : ''}`;
}

/** The modal that schedules a maintenance of `host`; `onDone` after one was scheduled. */
export function scheduleMaintenance(host: string, onDone: () => void): void {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const at = plainField({ path: 'at', label: 'Out of service by', required: true, help: `Your time zone (${zone}). The drain starts early enough to be done by then.` });
  const until = plainField({ path: 'until', label: 'Back in service at', help: 'Optional: leave empty to bring the host back by hand (Undrain host).' });
  for (const field of [at, until]) field.control.setAttribute('type', 'datetime-local');
  const powerOff = element('input', { id: 'maintenance-power-off', attributes: { type: 'checkbox' } });
  const body = element('div', {},
    element('p', { text: `ulm live-migrates the servers off ${host} and disables it before the time you give; at that time it powers it off if you ask; at the end it brings it back.` }),
    at.element, until.element,
    element('div', { className: 'checkbox' }, element('label', { attributes: { for: 'maintenance-power-off' } }, powerOff, ' Power off')));
  openModal({
    title: `Schedule Maintenance of ${host}`,
    submitLabel: 'Schedule Maintenance',
    body,
    onSubmit: async () => {
      at.showError(null);
      until.showError(null);
      const atIso = localInputToIso(at.control.value);
      if (!atIso) {
        at.showError('Give the date and time the host must be out of service by.');
        return false;
      }
      const untilIso = localInputToIso(until.control.value);
      try {
        const scheduled = await post<MaintenanceView>('v1/maintenances', { hosts: [host], at: atIso, ...(untilIso ? { until: untilIso } : {}), power_off: powerOff.checked });
        flash('success', `Scheduled maintenance of ${host}: its drain starts ${when(scheduled.drain_starts_at)}.`);
        onDone();
        return true;
      } catch (error) {
        const issues = error instanceof ApiFailure ? error.issues : [];
        for (const issue of issues) (issue.path === 'until' ? until : issue.path === 'at' ? at : null)?.showError(issue.message);
        if (!issues.some((issue) => issue.path === 'at' || issue.path === 'until')) flash('error', `Unable to schedule maintenance of ${host}: ${describeFailure(error)}`);
        return false;
      }
    },
  });
}

/** The maintenances not ended, with Cancel. */
export function maintenanceTable(): { element: HTMLElement; load: () => Promise<void> } {
  const table = new DataTable<MaintenanceView>({
    caption: 'Scheduled maintenances',
    rowKey: (view) => view.id,
    columns: [
      { key: 'hosts', label: 'Hosts', wrap: true, value: (view) => view.hosts.join(', '), render: (view) => element('span', {}, ...view.hosts.flatMap((host, index) => (index ? [', ', hostName(host)] : [hostName(host)]))) },
      { key: 'state', label: 'State', wrap: true, value: (view) => STATE_LABELS[view.state], render: (view) => element('span', {}, STATE_LABELS[view.state], view.failure_reason ? element('span', { className: 'state-detail', text: ` ${view.failure_reason}` }) : '') },
      { key: 'at', label: 'Out of service by', wrap: true, value: (view) => view.at, render: (view) => when(view.at) },
      { key: 'until', label: 'Back at', wrap: true, value: (view) => view.until, render: (view) => when(view.until) },
      { key: 'power_off', label: 'Power off', value: (view) => (view.power_off ? 'Yes' : 'No') },
      { key: 'drain', label: 'Drain starts', wrap: true, value: (view) => view.drain_starts_at, render: (view) => when(view.drain_starts_at) },
      { key: 'plan', label: 'Action plan', value: (view) => view.restore_plan_id ?? view.power_off_plan_id ?? view.drain_plan_id ?? '', render: (view) => { const id = view.restore_plan_id ?? view.power_off_plan_id ?? view.drain_plan_id; return id ? planLink(id) : '–'; } },
      { key: 'created_by', label: 'Scheduled by', value: (view) => view.created_by },
    ],
    actions: [{ label: 'Cancel maintenance', danger: true, appliesTo: (view) => !['POWERING_OFF', 'RESTORING'].includes(view.state), run: (view) => { void cancel(view); } }],
    emptyText: 'No scheduled maintenance: choose Schedule maintenance on a host.',
    sortBy: { key: 'at' },
  });

  const load = () => get<{ maintenances: MaintenanceView[] }>('v1/maintenances?active=true').then((answer) => table.setRows(answer.maintenances), (error: unknown) => table.showError(describeFailure(error)));

  async function cancel(view: MaintenanceView): Promise<void> {
    const started = view.state !== 'SCHEDULED';
    const confirmed = await confirmAction({
      title: 'Confirm Cancel Maintenance',
      message: started
        ? `The maintenance of ${view.hosts.join(', ')} is under way: cancelling stops a running drain, or brings hosts already in maintenance back now. Please confirm your selection.`
        : `Cancel the maintenance of ${view.hosts.join(', ')} (nothing has happened yet). Please confirm your selection.`,
      confirmLabel: 'Cancel Maintenance',
    });
    if (!confirmed) return;
    try {
      const after = await request<MaintenanceView>('DELETE', `v1/maintenances/${encodeURIComponent(view.id)}`);
      flash('success', after.state === 'CANCELLED' ? `Cancelled the maintenance of ${view.hosts.join(', ')}.` : `The maintenance of ${view.hosts.join(', ')} ends now: the hosts are brought back.`);
    } catch (error) {
      flash('error', `Unable to cancel the maintenance of ${view.hosts.join(', ')}: ${describeFailure(error)}`);
    }
    void load();
  }

  return { element: table.element, load };
}
