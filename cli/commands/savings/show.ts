// `ulm savings show [--window WINDOW] [--since DATE]`: what power-saving windows saved, run by
// run, with totals per window and overall.
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import type { SavingsView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, print } from '../../command.js';
import { parseInstant } from '../../option-parsers.js';
import { renderList, renderSection, type OutputOptions, type Row } from '../../output.js';

interface ShowOptions extends OutputOptions {
  window?: string;
  since?: string;
}

export const SAVINGS_COLUMNS = ['Window', 'State', 'Action Plan', 'Restore Plan', 'Period Start', 'Period End', 'Hosts Off', 'Host Hours Off', 'Energy kWh'];

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface SavingsTotals {
  runs: number;
  host_hours_off: number;
  energy_kwh: number;
  by_window: { window: string; runs: number; host_hours_off: number; energy_kwh: number }[];
}

export function savingsTotals(savings: SavingsView[]): SavingsTotals {
  const byWindow = new Map<string, { window: string; runs: number; host_hours_off: number; energy_kwh: number }>();
  for (const run of savings) {
    const name = run.window_name ?? run.window_id ?? '(no window)';
    const entry = byWindow.get(name) ?? { window: name, runs: 0, host_hours_off: 0, energy_kwh: 0 };
    entry.runs++;
    entry.host_hours_off += run.host_hours_off;
    entry.energy_kwh += run.energy_kwh;
    byWindow.set(name, entry);
  }
  return {
    runs: savings.length,
    host_hours_off: round(savings.reduce((sum, run) => sum + run.host_hours_off, 0)),
    energy_kwh: round(savings.reduce((sum, run) => sum + run.energy_kwh, 0)),
    by_window: [...byWindow.values()].map((entry) => ({ ...entry, host_hours_off: round(entry.host_hours_off), energy_kwh: round(entry.energy_kwh) })),
  };
}

function savingsRow(run: SavingsView): Row {
  return {
    Window: run.window_name ?? run.window_id, State: run.state, 'Action Plan': run.action_plan_id, 'Restore Plan': run.restore_plan_id, 'Period Start': run.period_start, 'Period End': run.period_end,
    'Hosts Off': run.hosts_off, 'Host Hours Off': round(run.host_hours_off), 'Energy kWh': round(run.energy_kwh),
  };
}

/** Tables for people; `{runs, totals}` for json and yaml; the runs and a TOTAL row for value and csv. */
export function renderSavings(savings: SavingsView[], options: OutputOptions): string {
  const totals = savingsTotals(savings);
  const rows = savings.map(savingsRow);
  switch (options.format) {
    case 'json':
    case 'yaml': {
      const runs = JSON.parse(renderList(rows, SAVINGS_COLUMNS, { ...options, format: 'json' })) as Row[];
      return options.format === 'json' ? `${JSON.stringify({ runs, totals }, null, 2)}\n` : toYaml({ runs, totals });
    }
    case 'value':
    case 'csv': {
      const total: Row = { Window: 'TOTAL', 'Hosts Off': null, 'Host Hours Off': totals.host_hours_off, 'Energy kWh': totals.energy_kwh };
      // Sorted runs first, the total last, whatever --sort-column says.
      const runs = renderList(rows, SAVINGS_COLUMNS, options);
      const last = renderList([total], SAVINGS_COLUMNS, { ...options, sortColumn: [] });
      return options.format === 'csv' ? runs + last.split('\n').slice(1).join('\n') : runs + last;
    }
    default: {
      const runs = rows.length ? renderList(rows, SAVINGS_COLUMNS, options) : 'No power-saving window has run yet.\n';
      const perWindow = totals.by_window.map((entry) => [entry.window, entry.runs, entry.host_hours_off, entry.energy_kwh]);
      return `${runs}\n${renderSection('Totals', ['Window', 'Runs', 'Host Hours Off', 'Energy kWh'], [...perWindow, ['all windows', totals.runs, totals.host_hours_off, totals.energy_kwh]], options.fitWidth)}`;
    }
  }
}

export function registerSavingsShow(savings: Command): void {
  defineCommand(savings, {
    name: 'show',
    summary: 'energy saved by power-saving windows: each run, totals per window and overall',
    output: 'list',
    examples: [
      ['ulm savings show', 'every run and the totals'],
      ['ulm savings show --window weeknights --since 2026-11-01', 'one window, this month'],
      ['ulm savings show -f json', '{"runs": [...], "totals": {...}}'],
    ],
    details: 'Energy is estimated from each host\'s idle draw ([power] idle_watts, or the snapshot\'s figures) over the hours it was off.',
  }).option('--window <window>', 'only this window (id or name)')
    .option('--since <date>', 'only runs from this date or ISO 8601 instant on')
    .action(async (options: ShowOptions, command: Command) => {
      const since = options.since === undefined ? undefined : parseInstant('--since', options.since);
      await withBackend(command, async ({ engine }) => {
        print(renderSavings(await engine.listSavings({ window: options.window, since }), options));
      });
    });
}
