// Hosts: state, servers, allocation and use of every compute host; drain a host (with
// confirmation: its servers are live-migrated away) and undrain one ulm holds, optionally moving
// its servers back; schedule a host's maintenance, and the scheduled maintenances.

import { auditOutcome } from '../api/audits.js';
import { describeFailure, get, post } from '../api/client.js';
import type { AuditAndPlan, HostView, UndrainView } from '../api/records.js';
import { element } from '../dom.js';
import { hostStateLabel, memory } from '../format.js';
import { flash } from '../ui/flash.js';
import { confirmAction, openModal } from '../ui/modal.js';
import { DataTable } from '../ui/table.js';
import { bar, hostName, hostStateBadge, link, pageHeader, planLink } from '../ui/widgets.js';
import { maintenanceTable, scheduleMaintenance } from './maintenances.js';
import type { Page } from './page.js';

const DRAINABLE = new Set(['active', 'empty', 'disabled']);
const REFRESH_MS = 15_000;

/** Detail text with the plan it names turned into a link. */
export function withPlanLinks(text: string): Array<Node | string> {
  const match = /action plan ([0-9a-f-]{8,})/.exec(text);
  if (!match) return [text];
  return [text.slice(0, match.index + 'action plan '.length), link(`#/action_plans/${match[1]}`, match[1], `action plan ${match[1]}`), text.slice(match.index + match[0].length)];
}

/** Bars stacked in one cell, each with its short label ("vCPU") and its full name for assistive technology. */
function bars(host: string, entries: Array<[string, string, number]>): HTMLElement {
  return element('div', { className: 'bar-stack' }, ...entries.flatMap(([short, name, fraction]) => [element('span', { className: 'bar-label', text: short, attributes: { 'aria-hidden': 'true' } }), bar(fraction, `${host} ${name}`)]));
}

export function hostsPage(): Page {
  const table = new DataTable<HostView>({
    caption: 'Hosts',
    rowKey: (host) => host.name,
    pageSize: 50,
    columns: [
      { key: 'name', label: 'Name', wrap: true, value: (host) => host.name, render: (host) => hostName(host.name) },
      { key: 'state', label: 'State', wrap: true, value: (host) => hostStateLabel(host.state), render: (host) => element('span', {}, hostStateBadge(host.state, host.state_detail), host.state_detail ? element('span', { className: 'state-detail', text: ` ${host.state_detail}` }) : '') },
      { key: 'zone', label: 'Zone', value: (host) => host.availability_zone ?? '' },
      { key: 'servers', label: 'Servers', numeric: true, value: (host) => host.servers },
      { key: 'size', label: 'Size', numeric: true, value: (host) => host.vcpus, render: (host) => element('span', { className: 'stacked' }, element('span', { text: `${host.vcpus} vCPUs` }), element('span', { text: memory(host.memory_mb) })) },
      // Two bars a column (vCPU and memory): four bar columns would not fit at 1,280 px. Sorted by the fuller of the two.
      { key: 'allocation', label: 'Allocation', value: (host) => Math.max(host.vcpu_allocation, host.memory_allocation), render: (host) => bars(host.name, [['vCPU', 'vCPU allocation', host.vcpu_allocation], ['RAM', 'memory allocation', host.memory_allocation]]) },
      { key: 'use', label: 'Use', value: (host) => Math.max(host.cpu_usage, host.memory_usage), render: (host) => bars(host.name, [['CPU', 'CPU use', host.cpu_usage], ['RAM', 'memory use', host.memory_usage]]) },
      { key: 'plan', label: 'Action plan', value: (host) => host.action_plan_id ?? '', render: (host) => (host.action_plan_id ? planLink(host.action_plan_id) : '–') },
    ],
    actions: [
      { label: 'Drain host', danger: true, appliesTo: (host) => DRAINABLE.has(host.state), run: (host) => { void drain(host); } },
      { label: 'Undrain host', appliesTo: (host) => host.held_by_ulm, run: (host) => undrain(host) },
      { label: 'Schedule maintenance', appliesTo: (host) => DRAINABLE.has(host.state), run: (host) => scheduleMaintenance(host.name, () => { void maintenances.load(); }) },
    ],
    emptyText: 'No hosts: ulm has not collected a snapshot of the cloud yet.',
    sortBy: { key: 'name' },
  });

  const maintenances = maintenanceTable();
  const load = () => Promise.all([
    get<{ hosts: HostView[] }>('v1/hosts').then((answer) => table.setRows(answer.hosts), (error: unknown) => table.showError(describeFailure(error))),
    maintenances.load(),
  ]);

  async function drain(host: HostView): Promise<void> {
    const confirmed = await confirmAction({
      title: 'Confirm Drain Host',
      message: `You have selected "${host.name}" (${host.servers} server${host.servers === 1 ? '' : 's'}). ulm plans moving every server away by live migration, starts the plan at once, and disables the host's nova-compute service when it is empty. Please confirm your selection.`,
      confirmLabel: 'Drain Host',
    });
    if (!confirmed) return;
    try {
      const outcome = await auditOutcome(await post<AuditAndPlan>('v1/hosts/drain', { hosts: [host.name] }));
      if (outcome.action_plan) flash('success', `Draining ${host.name}: ulm started action plan `, planLink(outcome.action_plan.id), '; its page shows the progress.');
      else flash('warning', `No plan to drain ${host.name}: ${outcome.audit.failure_reason ?? 'nothing to do'}`);
    } catch (error) {
      flash('error', `Unable to drain ${host.name}: ${describeFailure(error)}`);
    }
    void load();
  }

  function undrain(host: HostView): void {
    const rebalance = element('input', { id: 'undrain-rebalance', attributes: { type: 'checkbox', 'aria-describedby': 'undrain-rebalance-help' } });
    rebalance.checked = true;
    const body = element('div', {},
      element('p', { text: `Bring ${host.name} back: power it on if ulm powered it off, wait for nova-compute, and enable it.` }),
      element('div', { className: 'checkbox' }, element('label', { attributes: { for: 'undrain-rebalance' } }, rebalance, ' Rebalance back')),
      element('p', { className: 'help-block', id: 'undrain-rebalance-help', text: 'Then move the servers that were on it before back, by live migration (a plan ulm starts at once).' }));
    openModal({
      title: `Undrain Host ${host.name}`,
      submitLabel: 'Undrain Host',
      body,
      onSubmit: async () => {
        try {
          const answer = await post<UndrainView>('v1/hosts/undrain', { hosts: [host.name], rebalance: rebalance.checked });
          if (answer.audit) {
            // Being restored: the restore's audit reads the cloud and plans, then names the plan.
            const outcome = await auditOutcome({ audit: answer.audit, action_plan: answer.action_plan });
            if (outcome.action_plan) flash('success', `Restoring ${host.name}: ulm started action plan `, planLink(outcome.action_plan.id), '; its page shows the progress.');
            else flash('error', `Unable to undrain ${host.name}: ${outcome.audit.failure_reason ?? 'no restore plan was made'}`);
          } else {
            for (const result of answer.results) flash(result.restored ? 'success' : 'warning', `${result.host}: `, ...withPlanLinks(result.detail));
          }
        } catch (error) {
          flash('error', `Unable to undrain ${host.name}: ${describeFailure(error)}`);
        }
        void load();
        return true;
      },
    });
  }

  void load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') void load(); }, REFRESH_MS);
  return { element: element('div', { className: 'hosts-page' }, pageHeader('Hosts', link('#/calendar', 'Calendar of maintenances and windows')), table.element, maintenances.element), dispose: () => clearInterval(timer) };
}
