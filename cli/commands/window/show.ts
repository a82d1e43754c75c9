// `ulm window show WINDOW`: one power-saving window (by id, or by name when unique), with its
// next opening.
import type { Command } from 'commander';
import type { WindowView } from '../../../core/api/records.js';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { findWindow } from '../../lookups.js';
import { renderOne, type OutputOptions, type Row } from '../../output.js';

/** A window as `show` and `create` print it: its definition, then its next opening. */
export function windowRecord(view: WindowView): Row {
  const window = view.window;
  return {
    id: view.id,
    name: window.name,
    policy: view.policy_name,
    opens: window.opens,
    closes: window.closes ?? null,
    duration_minutes: window.duration_minutes ?? null,
    timezone: window.timezone ?? 'UTC',
    holidays: window.holidays ?? [],
    off_days: window.off_days ?? [],
    auto_apply: window.auto_apply ?? false,
    stop_new_waves_minutes: window.stop_new_waves_minutes ?? 30,
    restore_minutes: window.restore_minutes ?? 30,
    rebalance_on_restore: window.rebalance_on_restore ?? false,
    missed: window.missed ?? 'catch_up',
    enabled: window.enabled ?? true,
    open_now: view.next?.open_now ?? false,
    next_opens_at: view.next?.opens_at ?? null,
    next_stop_new_waves_at: view.next?.stop_new_waves_at ?? null,
    next_restore_at: view.next?.restore_at ?? null,
    next_closes_at: view.next?.closes_at ?? null,
    created_at: view.created_at,
    updated_at: view.updated_at,
  };
}

export function registerWindowShow(windowCommand: Command): void {
  defineCommand(windowCommand, {
    name: 'show <window>',
    summary: 'show a power-saving window and when it next opens, stops new waves, restores and closes',
    output: 'one',
    examples: [
      ['ulm window show weeknights', 'by name (when unique)'],
      ['ulm window show 6f1c... -f json', 'by id, as JSON'],
    ],
  }).action(async (reference: string, options: OutputOptions, command: Command) => withBackend(command, async ({ engine }) => {
    print(renderOne(forFormat(windowRecord(await findWindow(engine, reference)), options), options));
  }));
}
