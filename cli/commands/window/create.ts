// `ulm window create NAME --policy POLICY --opens "weekdays 20:00" (--closes 07:00 | --duration
// 11h) [...]`: adds a power-saving window to a policy.
import { Option, type Command } from 'commander';
import { withBackend } from '../../backend.js';
import { defineCommand, forFormat, print } from '../../command.js';
import { badOption, collect, parseCount, parseDate, parseDayList, parseDurationMinutes, parseTimeOfDay } from '../../option-parsers.js';
import { renderOne, type OutputOptions } from '../../output.js';
import { windowRecord } from './show.js';

interface CreateOptions extends OutputOptions {
  policy: string;
  opens: string;
  closes?: string;
  duration?: string;
  timezone?: string;
  holiday?: string[];
  offDay?: string[];
  autoApply?: boolean;
  stopNewWavesMinutes?: string;
  restoreMinutes?: string;
  rebalanceOnRestore?: boolean;
  missed?: 'catch_up' | 'skip';
  disabled?: boolean;
}

/** The window document from the options (the schema checks the rest, naming window.<field>). */
export function windowDocumentFrom(name: string, options: CreateOptions): Record<string, unknown> {
  if (options.closes !== undefined && options.duration !== undefined) badOption('--duration', 'cannot be used with --closes: give one of them');
  if (options.closes === undefined && options.duration === undefined) badOption('--closes', 'is required: give the local time the window closes (--closes 07:00) or how long it stays open (--duration 11h)');
  const window: Record<string, unknown> = { name, opens: options.opens };
  if (options.closes !== undefined) window.closes = parseTimeOfDay('--closes', options.closes);
  if (options.duration !== undefined) window.duration_minutes = parseDurationMinutes('--duration', options.duration);
  if (options.timezone !== undefined) window.timezone = options.timezone;
  if (options.holiday?.length) window.holidays = options.holiday.map((day, index) => parseDate(`--holiday[${index}]`, day));
  if (options.offDay?.length) window.off_days = parseDayList('--off-day', options.offDay);
  if (options.autoApply) window.auto_apply = true;
  if (options.stopNewWavesMinutes !== undefined) window.stop_new_waves_minutes = parseCount('--stop-new-waves-minutes', options.stopNewWavesMinutes);
  if (options.restoreMinutes !== undefined) window.restore_minutes = parseCount('--restore-minutes', options.restoreMinutes);
  if (options.rebalanceOnRestore) window.rebalance_on_restore = true;
  if (options.missed) window.missed = options.missed;
  if (options.disabled) window.enabled = false;
  return window;
}

export function registerWindowCreate(windowCommand: Command): void {
  defineCommand(windowCommand, {
    name: 'create <name>',
    summary: 'add a power-saving window to a policy: when ulm may consolidate and put hosts into maintenance',
    output: 'one',
    examples: [
      ['ulm window create weeknights --policy night --opens "weekdays 20:00" --closes 07:00 --timezone Europe/Berlin', ''],
      ['ulm window create weekend --policy night --opens "sat 00:00" --duration 2d --auto-apply', ''],
      ['ulm window create xmas --policy night --opens "daily 19:00" --closes 07:00 --holiday 2026-12-24 --holiday 2026-12-25 --off-day sat,sun', ''],
    ],
    details: `--opens: "<days> HH:MM" (days: daily, weekdays, weekends, mon,tue, mon-fri) or a 5-field cron expression.
On holidays and off days the window stays open all day; it closes on the next working day.
No new wave starts --stop-new-waves-minutes before restoring begins, and restoring begins
--restore-minutes before the close, so that hosts are back in service on time.`,
  })
    .requiredOption('--policy <policy>', 'the policy the window plans with (id or name)')
    .requiredOption('--opens <schedule>', 'when it opens: "weekdays 20:00", "sat,sun 00:00" or cron "0 20 * * 1-5"')
    .option('--closes <HH:MM>', 'local time it closes (the next time after opening)')
    .option('--duration <duration>', 'how long it stays open instead: 11h, 1h30m, 2d or minutes')
    .option('--timezone <zone>', 'IANA time zone of --opens and --closes (default UTC), e.g. Europe/Berlin')
    .option('--holiday <date>', 'a date (YYYY-MM-DD) on which the window stays open all day (repeat for more)', collect)
    .option('--off-day <days>', 'days of the week on which it stays open all day, e.g. sat,sun (repeatable)', collect)
    .option('--auto-apply', 'apply plans without waiting for approval (default: they wait as RECOMMENDED)')
    .option('--stop-new-waves-minutes <minutes>', 'no new wave starts this long before restoring begins (default 30)')
    .option('--restore-minutes <minutes>', 'restoring hosts starts this long before the close (default 30)')
    .option('--rebalance-on-restore', 'after restoring, spread load back over the restored hosts')
    .addOption(new Option('--missed <what>', 'an opening missed while the scheduler was down: run it if still open, or skip it').choices(['catch_up', 'skip']))
    .option('--disabled', 'store it disabled')
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const window = windowDocumentFrom(name, options);
      await withBackend(command, async ({ engine }) => {
        print(renderOne(forFormat(windowRecord(await engine.createWindow({ policy: options.policy, window })), options), options));
      });
    });
}
