// Running Debian's ipmitool against one BMC without a shell and without the password on the command line, and reading what it says.
import { spawn } from 'node:child_process';
import type { PowerFailure } from '../../../core/power.js';

/** Where and as whom ipmitool talks to one BMC. */
export interface BmcAccess {
  address: string;
  port: number;
  username: string;
  password: string;
  interface: 'lanplus' | 'lan';
  privilegeLevel?: 'OPERATOR' | 'ADMINISTRATOR';
  cipherSuite?: number;
}

export type ChassisPowerCommand = 'status' | 'on' | 'off' | 'soft';

/**
 * ipmitool's arguments for `chassis power <command>`. The password is not among them: `-E`
 * makes ipmitool read it from IPMI_PASSWORD, where `ps` does not show it. `-v` makes ipmitool
 * say why a session failed (bad password versus no answer), which the plain output does not.
 */
export function ipmitoolArguments(bmc: BmcAccess, command: ChassisPowerCommand): string[] {
  const args = ['-I', bmc.interface, '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-E'];
  if (bmc.privilegeLevel) args.push('-L', bmc.privilegeLevel);
  if (bmc.cipherSuite !== undefined) args.push('-C', String(bmc.cipherSuite));
  args.push('-v', 'chassis', 'power', command);
  return args;
}

/**
 * The child's whole environment: the password and what ipmitool needs to run, nothing of ulm's
 * own environment (which may hold other secrets). LC_ALL=C keeps the messages parsed below in English.
 */
export function ipmitoolEnvironment(password: string, path: string | undefined): Record<string, string> {
  return { PATH: path ?? '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C', IPMI_PASSWORD: password };
}

export interface IpmitoolRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** ulm stopped ipmitool because it ran past the timeout. */
  timedOut: boolean;
  /** ipmitool could not be started (not installed, not executable). */
  startError?: NodeJS.ErrnoException;
}

/** Runs ipmitool once; stops it (by its PID, which this call started) after `timeoutMilliseconds`. */
export function runIpmitool(command: string, args: string[], env: Record<string, string>, timeoutMilliseconds: number): Promise<IpmitoolRun> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (run: IpmitoolRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
    };
    // stdin ignored: if the password ever went missing, ipmitool would prompt and wait forever.
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMilliseconds);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', (error: NodeJS.ErrnoException) => finish({ exitCode: null, stdout, stderr, timedOut, startError: error }));
    child.on('close', (exitCode) => finish({ exitCode, stdout, stderr, timedOut }));
  });
}

/** `Chassis Power is on` -> on; anything else -> unknown. */
export function parsePowerStatus(stdout: string): 'on' | 'off' | 'unknown' {
  const match = /Chassis Power is (on|off)/i.exec(stdout);
  return match ? (match[1].toLowerCase() as 'on' | 'off') : 'unknown';
}

// Lines ipmitool -v prints on every run, failed or not; they would only bury the cause.
const NOISE = [
  /^Loading IANA PEN Registry/i, /^Unable to Get Channel Cipher Suites/i, /^Running Get VSO Capabilities/i,
  /^Invalid completion code received: Invalid command/i, /^Discovered IPMB address/i, /^Password:\s*$/i,
];

/** ipmitool's own words on a failure, without the lines it prints on every run. */
export function ipmitoolMessage(run: IpmitoolRun): string {
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').map((line) => line.replace(/^>\s*/, '').trim())
    .filter((line) => line && !NOISE.some((pattern) => pattern.test(line)));
  return lines.slice(-4).join('; ');
}

/** What kind of failure a failed ipmitool run was, from what it printed. */
export function classifyIpmitoolFailure(run: IpmitoolRun): PowerFailure {
  if (run.timedOut) return 'timeout';
  if (run.startError) return 'configuration';
  const text = `${run.stderr}\n${run.stdout}`;
  if (/RAKP \d+ HMAC is invalid|unauthorized name|invalid (user ?name|password)|Activate Session command failed|Authentication type \S+ not supported|insufficient privilege|Unable to read password/i.test(text)) {
    return 'authentication';
  }
  if (/Address lookup for .* failed|Name or service not known/i.test(text)) return 'unreachable';
  if (/Get Auth Capabilities error|Error issuing Get Channel Authentication Capabilities|No response from remote controller|Unable to establish/i.test(text)) return 'timeout';
  return 'remote';
}
