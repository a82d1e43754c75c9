// Overview: the cloud at a glance. Every host as a box with its servers, allocation and usage
// bars and its state (one canvas, fine at 1,000 hosts), filters by state and name, the chosen
// host's details, the status of plans and windows, and the savings per window run as charts.

import { describeFailure, get } from '../api/client.js';
import type { HostState, HostView, SavingsView, ServerView, StatusView } from '../api/records.js';
import { debounce, element, replaceChildren } from '../dom.js';
import { day, decimal, describeExemption, hostStateLabel, HOST_STATE_LABELS, percent, when } from '../format.js';
import { barChart } from '../ui/charts.js';
import { colour, HOST_STATE_MEANINGS, legend as colourLegend, swatch } from '../ui/colours.js';
import { HostMap, type MapHost, type ServerTone } from '../ui/host-map.js';
import { link, pageHeader, planLink } from '../ui/widgets.js';
import { describeMaintenance } from './maintenances.js';
import type { Page } from './page.js';

const REFRESH_MS = 60_000;
/** Charts show the latest runs: more bars than this would be slivers. */
const RUNS_CHARTED = 30;

function toneOf(server: ServerView): ServerTone {
  if (server.exemptions.length) return 'exempt';
  return server.migratable ? 'normal' : 'pinned';
}

export function overviewPage(): Page {
  const hiddenStates = new Set<HostState>();
  let nameFilter = '';
  let hosts: HostView[] = [];
  let serversByHost = new Map<string, ServerView[]>();
  const details = element('div', { className: 'host-details', attributes: { 'aria-live': 'polite' } },
    element('p', { className: 'help-block', text: 'Choose a host (click it, or focus the map and use the arrow keys and Enter) to see its servers.' }));
  const map = new HostMap({ label: 'Hosts', onSelect: (host) => showDetails(host) });
  const legend = element('div', { className: 'legend', attributes: { role: 'group', 'aria-label': 'Show hosts by state' } });
  const nameInput = element('input', { className: 'form-control filter-input', attributes: { type: 'search', placeholder: 'Filter hosts by name', 'aria-label': 'Filter hosts by name' } });
  nameInput.addEventListener('input', debounce(() => {
    nameFilter = nameInput.value.trim().toLowerCase();
    applyFilter();
  }, 150));
  const status = element('div', { className: 'status-cards' }, element('p', { text: 'Loading…' }));
  const charts = element('div', { className: 'charts' });
  const loadError = element('div', {});

  const root = element('div', { className: 'overview' },
    pageHeader('Overview'),
    loadError,
    status,
    element('section', { className: 'panel', attributes: { 'aria-labelledby': 'map-heading' } },
      element('div', { className: 'panel-heading' },
        element('h2', { id: 'map-heading', text: 'Hosts' }),
        element('div', { className: 'map-controls' }, legend, nameInput)),
      element('div', { className: 'panel-body' },
        element('div', { className: 'help-block map-key' },
          colourLegend('Servers', [['server', 'server (movable)'], ['exempt', 'exempt'], ['never-move', 'not migratable']]),
          colourLegend('Bars: allocation (Placement) and observed use', [['level-low', 'bar below 70 %'], ['level-medium', '70 to 90 %'], ['level-high', '90 % and more']])),
        map.element,
        details)),
    element('section', { className: 'panel', attributes: { 'aria-labelledby': 'savings-heading' } },
      element('div', { className: 'panel-heading' }, element('h2', { id: 'savings-heading', text: 'Savings per window run' })),
      element('div', { className: 'panel-body' }, charts)),
  );

  function mapHosts(): MapHost[] {
    return hosts.map((host) => ({
      name: host.name,
      state: host.state,
      detail: host.state_detail,
      servers: (serversByHost.get(host.name) ?? []).map((server) => ({ name: server.name, tone: toneOf(server) })),
      vcpu_allocation: host.vcpu_allocation,
      memory_allocation: host.memory_allocation,
      cpu_usage: host.cpu_usage,
      memory_usage: host.memory_usage,
    }));
  }

  function applyFilter(): void {
    const filtering = hiddenStates.size > 0 || nameFilter !== '';
    map.setFilter(filtering ? (host) => !hiddenStates.has(host.state) && (!nameFilter || host.name.toLowerCase().includes(nameFilter)) : null);
    root.setAttribute('data-hosts-shown', String(map.hostsShown));
  }

  function renderLegend(): void {
    const counts = new Map<HostState, number>();
    for (const host of hosts) counts.set(host.state, (counts.get(host.state) ?? 0) + 1);
    replaceChildren(legend, ...(Object.keys(HOST_STATE_LABELS) as HostState[]).map((state) => {
      const button = element('button', {
        className: 'legend-item',
        attributes: { type: 'button', 'aria-pressed': String(!hiddenStates.has(state)), 'data-state': state },
      }, swatch(HOST_STATE_MEANINGS[state]), ` ${hostStateLabel(state)} (${counts.get(state) ?? 0})`);
      button.addEventListener('click', () => {
        if (hiddenStates.has(state)) hiddenStates.delete(state);
        else hiddenStates.add(state);
        button.setAttribute('aria-pressed', String(!hiddenStates.has(state)));
        applyFilter();
      });
      return button;
    }));
  }

  function showDetails(mapHost: MapHost): void {
    const host = hosts.find((candidate) => candidate.name === mapHost.name);
    if (!host) return;
    const servers = serversByHost.get(host.name) ?? [];
    const shown = servers.slice(0, 60);
    replaceChildren(details,
      element('h3', { text: `${host.name}: ${hostStateLabel(host.state)}` }),
      host.state_detail ? element('p', { text: host.state_detail }) : null,
      element('p', { text: `${host.vcpus} vCPUs, ${Math.round(host.memory_mb / 1024)} GiB; vCPU allocation ${percent(host.vcpu_allocation)}, memory allocation ${percent(host.memory_allocation)}; CPU use ${percent(host.cpu_usage)}, memory use ${percent(host.memory_usage)}.` }),
      host.action_plan_id ? element('p', {}, 'Action plan: ', planLink(host.action_plan_id)) : null,
      servers.length
        ? element('ul', { className: 'server-list' }, ...shown.map((server) => element('li', {},
          element('strong', { text: server.name }), ` ${server.flavor ?? ''} (${server.vcpus} vCPU, ${Math.round(server.memory_mb / 1024 * 10) / 10} GiB)`,
          server.migratable ? '' : ' — not migratable',
          server.exemptions.length ? ` — ${server.exemptions.map(describeExemption).join('; ')}` : '')))
        : element('p', { text: 'No servers.' }),
      servers.length > shown.length ? element('p', {}, `and ${servers.length - shown.length} more: see `, link('#/servers', 'Servers'), '.') : null,
    );
  }

  function renderStatus(view: StatusView | null): void {
    if (!view) {
      replaceChildren(status);
      return;
    }
    const card = (title: string, ...content: Array<Node | string | null>) => element('section', { className: 'status-card', attributes: { 'aria-label': title } }, element('h2', { text: title }), ...content);
    const hostLines = (Object.keys(HOST_STATE_LABELS) as HostState[]).filter((state) => view.hosts[state]).map((state) => `${view.hosts[state]} ${hostStateLabel(state).toLowerCase()}`);
    replaceChildren(status,
      card('Hosts', element('p', { className: 'big', text: String(Object.values(view.hosts).reduce((sum, count) => sum + count, 0)) }), element('p', { text: hostLines.join(', ') || 'none' })),
      card('Action plans', element('p', { className: 'big', text: String(view.plans.ongoing) }), element('p', {}, 'running; ', link('#/action_plans?state=RECOMMENDED', `${view.plans.recommended} waiting for approval`))),
      card('Next window', view.next_window ? element('p', { text: `${view.next_window.window} (${view.next_window.policy}) opens ${when(view.next_window.opens_at)}` }) : element('p', {}, 'None: ', link('#/windows', 'create a window'), '.')),
      card('Maintenances',
        ...view.maintenances.ongoing.map((maintenance) => element('p', { text: describeMaintenance(maintenance) })),
        view.maintenances.next ? element('p', { text: `Next: ${describeMaintenance(view.maintenances.next)}` }) : null,
        !view.maintenances.ongoing.length && !view.maintenances.next ? element('p', {}, 'None: ', link('#/hosts', 'schedule one on a host'), '.') : null),
      card('Cloud', element('p', { className: view.cloud.reachable ? 'text-success' : 'text-danger', text: view.cloud.reachable ? 'Reachable' : 'Unreachable' }), view.cloud.detail ? element('p', { className: 'help-block', text: view.cloud.detail }) : null,
        view.last_audit ? element('p', { text: `Last audit ${view.last_audit.state.toLowerCase()} ${when(view.last_audit.created_at)}` }) : null),
    );
  }

  function renderCharts(savings: SavingsView[]): void {
    const runs = [...savings].sort((a, b) => a.period_start.localeCompare(b.period_start)).slice(-RUNS_CHARTED);
    const detail = (run: SavingsView) => `${run.window_name ?? 'no window'}, ${when(run.period_start)}${run.period_end ? ` to ${when(run.period_end)}` : ' (still off)'}, ${run.hosts_off} hosts off`;
    replaceChildren(charts,
      barChart({ title: 'Host-hours off per window run', unit: 'host-hours', data: runs.map((run) => ({ label: day(run.period_start), detail: detail(run), value: run.host_hours_off })), colour: colour('window') }),
      barChart({ title: 'Energy saved per window run', unit: 'kWh', data: runs.map((run) => ({ label: day(run.period_start), detail: detail(run), value: run.energy_kwh })), colour: colour('window'), digits: 2 }),
      element('p', { className: 'help-block', text: `In all: ${decimal(savings.reduce((sum, run) => sum + run.host_hours_off, 0))} host-hours off, ${decimal(savings.reduce((sum, run) => sum + run.energy_kwh, 0), 2)} kWh saved over ${savings.length} runs.` }),
    );
  }

  async function load(): Promise<void> {
    // The status asks the cloud, which may be slow to answer: the map does not wait for it.
    void get<StatusView>('v1/status').then(renderStatus, () => renderStatus(null));
    void get<{ savings: SavingsView[] }>('v1/savings').then((answer) => renderCharts(answer.savings), (error: unknown) => {
      replaceChildren(charts, element('p', { className: 'text-danger', text: `Cannot load the savings: ${describeFailure(error)}` }));
    });
    try {
      const [hostAnswer, serverAnswer] = await Promise.all([
        get<{ hosts: HostView[] }>('v1/hosts'),
        get<{ servers: ServerView[] }>('v1/servers'),
      ]);
      hosts = hostAnswer.hosts;
      serversByHost = new Map();
      for (const server of serverAnswer.servers) {
        const list = serversByHost.get(server.host);
        if (list) list.push(server);
        else serversByHost.set(server.host, [server]);
      }
      performance.mark('ulm:overview:data-loaded');
      replaceChildren(loadError);
      renderLegend();
      // The filters chosen stay, and so does the scroll position: a refresh is not a new view.
      map.setHosts(mapHosts());
      root.setAttribute('data-hosts-shown', String(map.hostsShown));
    } catch (error) {
      replaceChildren(loadError, element('div', { className: 'alert alert-error', attributes: { role: 'alert' } }, `Cannot load the overview: ${describeFailure(error)}`));
    }
  }

  void load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') void load(); }, REFRESH_MS);
  return { element: root, dispose: () => { clearInterval(timer); map.dispose(); } };
}
