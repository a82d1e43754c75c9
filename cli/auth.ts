// The cloud a command talks to, from the OpenStack auth options (auth-options.ts), the OS_*
// variables and clouds.yaml, as python-openstackclient resolves them; the password prompt.
import { resolveCloudConfig, type CloudConfig, type CloudSettings } from '../openstack/config.js';
import { CloudConfigError } from '../openstack/errors.js';
import { ValidationError } from '../core/validation.js';
import { CommandFailure, EXIT_USAGE } from './errors.js';
import { AUTH_FLAGS, type AuthOptions } from './auth-options.js';

export { OPENSTACK_FLAGS, withAuthOptions, type AuthOptions } from './auth-options.js';

/** The options as settings named like clouds.yaml's, for the resolver. */
export function authOverrides(options: AuthOptions): CloudSettings {
  const settings: CloudSettings = {};
  const auth: Record<string, string> = {};
  for (const [, key, , setting] of AUTH_FLAGS) {
    const value = options[key];
    if (typeof value !== 'string' || !setting) continue;
    if (setting.startsWith('auth.')) auth[setting.slice(5)] = value;
    else settings[setting] = value;
  }
  if (Object.keys(auth).length) settings.auth = auth;
  if (options.insecure) settings.insecure = true;
  return settings;
}

/** Resolves the cloud for a command; bad settings become a usage error (exit 2) naming the setting. */
export function cloudConfigFrom(options: AuthOptions, env: Record<string, string | undefined> = process.env): CloudConfig {
  try {
    return resolveCloudConfig({ cloud: options.osCloud, overrides: authOverrides(options), env });
  } catch (error) {
    if (error instanceof CloudConfigError) {
      throw new ValidationError('invalid cloud configuration', [{ path: error.field, message: error.message.slice(error.field.length + 2) }]);
    }
    throw error;
  }
}

/** Where the password prompt reads and writes: the terminal, or a test's streams. */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

/** Reads a line from the terminal without echoing it (as getpass does for the OpenStack client). */
export function askPassword(question: string, streams: PromptStreams = { input: process.stdin, output: process.stderr }): Promise<string> {
  const { input, output } = streams;
  return new Promise((resolve, reject) => {
    let typed = '';
    const raw = typeof input.setRawMode === 'function';
    const done = (error?: Error) => {
      input.removeListener('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (error) reject(error); else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n' || character === '\u0004') return done();
        if (character === '\u0003') return done(new CommandFailure('interrupted: no password given', EXIT_USAGE));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed += character;
      }
    };
    output.write(question);
    if (raw) input.setRawMode!(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * `cloudConfigFrom`, asking for the password on a terminal when the credentials need one and none
 * was given (as `openstack` does); without a terminal, the error names OS_PASSWORD and --os-password.
 */
export async function cloudConfigAsking(
  options: AuthOptions,
  env: Record<string, string | undefined> = process.env,
  prompt: { isTerminal: boolean; ask: (question: string) => Promise<string> } = { isTerminal: Boolean(process.stdin.isTTY), ask: (question) => askPassword(question) },
): Promise<CloudConfig> {
  try {
    return cloudConfigFrom(options, env);
  } catch (error) {
    const missingPassword = error instanceof ValidationError && error.issues.some((issue) => issue.path === 'auth.password');
    if (!missingPassword) throw error;
    if (!prompt.isTerminal) {
      throw new ValidationError('invalid cloud configuration', [{ path: 'auth.password', message: 'is not set and standard input is not a terminal to ask for it: set OS_PASSWORD (or --os-password, which shows in the process list, or auth.password in clouds.yaml / secure.yaml)' }]);
    }
    const password = await prompt.ask('Password: ');
    return cloudConfigFrom({ ...options, osPassword: password }, env);
  }
}
