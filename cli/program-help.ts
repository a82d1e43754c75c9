// What `ulm --help` says beyond the commands: the nouns, where commands run, the exit codes.
import type { Command } from 'commander';

/** What each noun is about, for `ulm --help` and `ulm <noun> --help`. */
export const NOUNS: Record<string, string> = {
  policy: 'policies: goals and limits that audits and windows plan with',
  window: 'power-saving windows: when ulm may consolidate, in the operator\'s time zone',
  audit: 'audits: collect the cloud and plan with a policy',
  host: 'compute hosts as ulm sees them; drain and bring back for maintenance',
  server: 'servers and their exemptions (never move, not during hours, anti-affinity tags)',
  savings: 'energy saved by power-saving windows',
};

/** Added to `ulm --help`: how the backend is chosen and the exit codes scripts rely on. */
export const PROGRAM_HELP = `
Where commands run:
  --os-ulm-url URL or ULM_URL   against ulm-api at that address
  --direct                      in this process ("direct mode"): ulm's engine on the local
                                configuration (--config-file, --config-dir; SQLite by default)
                                and your OpenStack credentials; started plans run here
  otherwise                     ulm-api from the Keystone catalog (service type "ulm", your
                                interface and region) when it has one, else direct mode
  --debug shows which, and each API request (method, URL, status, request id, duration).

The options above go before or after the command, as with openstack: ulm --os-cloud prod host
list and ulm host list --os-cloud prod -f json are the same. A user or project named without its
domain is in "default"; --os-token (OS_TOKEN) authenticates with auth type v3token; a password
not given is asked for on a terminal. Every command takes -f table|json|yaml|value|csv and -c
with the column names its table shows. Waves are counted from 1.

Exit status:
  0  success
  1  the operation failed: a plan ended FAILED or CANCELLED (--wait), an audit found no plan,
     something was not found, a conflict (e.g. the plan is not APPROVED), the API or the
     cloud refused or could not be reached
  2  bad input or usage: the message names the option or field and what would be right
  3  ulm plan --snapshot: the plan meets its goal only in part (blocked servers on stderr)
  4  ulm plan --snapshot: the goal is infeasible, or no path to it was found

Examples:
  ulm host list                                  hosts, their state and load
  ulm consolidate --dry-run                      what consolidating now would do
  ulm host drain cmp-07 --wait                   empty cmp-07 for maintenance, follow it
  ulm plan start PLAN --wait --timeout 7200      run an approved plan to its end (through API restarts)
  ulm server show db-01                          what ulm knows of a server
  ulm plan show PLAN --commands                  the plan as openstack commands, wave by wave
  ulm server set db-01 --not-during "08:00-18:00 mon-fri Europe/Berlin"
  ulm plan --snapshot cluster.json               plan offline from a snapshot file
  source <(ulm completion bash)                  shell completion`;

/** `ulm --help`: global options shown under every command, backend choice and exit codes. */
export function describeProgram(program: Command): void {
  // Mutated, not replaced: commands made before this share the same help settings.
  Object.assign(program.configureHelp(), { showGlobalOptions: true });
  program.addHelpText('after', PROGRAM_HELP);
}
