// A plan as the `openstack` commands an operator would type to carry it out by hand, wave by
// wave (as htools' `hbal -C` prints gnt-instance commands): for `ulm plan show ID --commands` and
// `ulm plan --snapshot F --commands` alike.

/** What the commands need of an action: a plan document's action and ulm-api's action view both fit. */
export interface CommandAction {
  /** Counted from 0, as in the ulm-plan/1 document. */
  wave: number;
  type: string;
  server?: string | null;
  server_name?: string | null;
  host?: string | null;
  source?: string | null;
  destination?: string | null;
  reason: string;
  temporary?: boolean;
}

export interface PlanCommandsOptions {
  /** `[power] driver`: only Ironic hosts are powered with an `openstack` command. */
  powerDriver?: string;
}

/** Live migration to a named host needs compute API 2.30 (the `--host` of a live migration). */
const LIVE_MIGRATION_MICROVERSION = '2.30';

/** A word for a POSIX shell: quoted when it holds anything but safe characters. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The line(s) for one action. */
function actionLines(action: CommandAction, options: PlanCommandsOptions): string[] {
  const host = shellWord(action.host ?? '');
  switch (action.type) {
    case 'live_migrate': {
      const server = action.server ?? action.server_name ?? '';
      return [
        `# ${action.temporary ? 'temporary move: ' : ''}${action.server_name ?? server} ${action.source ?? '?'} -> ${action.destination ?? '?'}`,
        `openstack --os-compute-api-version ${LIVE_MIGRATION_MICROVERSION} server migrate --live-migration --host ${shellWord(action.destination ?? '')} --wait ${shellWord(server)}`,
      ];
    }
    case 'disable_compute':
      return [`openstack compute service set --disable --disable-reason ${doubleQuoted(action.reason)} ${host} nova-compute`];
    case 'enable_compute':
      return [`openstack compute service set --enable ${host} nova-compute`];
    case 'power_off':
    case 'power_on': {
      const state = action.type === 'power_off' ? 'off' : 'on';
      if (options.powerDriver === 'ironic') return [`openstack baremetal node power ${state} ${host}`];
      return [`# power ${state} ${action.host ?? ''} through its BMC (${options.powerDriver && options.powerDriver !== 'none' ? options.powerDriver : 'no Ironic'}: not an openstack command)`];
    }
    default:
      return [`# ${action.type} ${action.host ?? action.server ?? ''}: no openstack command for this action`];
  }
}

/** `"ulm: drained for maintenance"`, with what a shell would expand escaped. */
function doubleQuoted(text: string): string {
  return `"${text.replace(/(["\\$`])/g, '\\$1')}"`;
}

/**
 * The whole plan as a shell script: `# wave 1` (waves counted from 1, as everywhere on the
 * command line), then its actions in order. A wave's live migrations may run in parallel; the
 * commands run them one after the other (`--wait`), which is slower but as safe.
 */
export function planAsCommands(actions: readonly CommandAction[], options: PlanCommandsOptions = {}): string {
  if (!actions.length) return '# nothing to do: the plan has no actions\n';
  const ordered = actions.map((action, index) => ({ action, index })).sort((a, b) => a.action.wave - b.action.wave || a.index - b.index);
  const lines: string[] = [];
  let wave: number | null = null;
  for (const { action } of ordered) {
    if (action.wave !== wave) {
      if (wave !== null) lines.push('');
      wave = action.wave;
      lines.push(`# wave ${wave + 1}`);
    }
    lines.push(...actionLines(action, options));
  }
  return `${lines.join('\n')}\n`;
}
