// Runs `ulm` and `ulm-manage` in this process (main() from the sources) and captures what they print,
// so that a test can talk to a fake ulm-api, read a snapshot file or manage a database without spawning bin/.
import { main } from '../../cli/main.js';
import { buildManageProgram } from '../../cli/manage.js';

export interface InProcessRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * `ulm ARGS` with stdout and stderr captured. Unless told to keep them, the OpenStack settings
 * (OS_*) and ULM_URL of the environment are left out so that a developer's shell cannot
 * point the test at a real cloud; the environment is put back afterwards.
 */
export async function runUlm(args: string[], options: { keepEnvironment?: boolean } = {}): Promise<InProcessRun> {
  const saved = { ...process.env };
  if (!options.keepEnvironment) {
    for (const name of Object.keys(process.env)) if (name.startsWith('OS_') || name === 'ULM_URL') delete process.env[name];
  }
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += chunk.toString(); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += chunk.toString(); return true; }) as typeof process.stderr.write;
  try {
    const status = await main(['node', 'ulm', ...args]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    if (!options.keepEnvironment) process.env = saved;
  }
}

/** `ulm-manage --config-file FILE ARGS` in this process; what it prints. */
export async function runManage(configFile: string, args: string[]): Promise<string> {
  let output = '';
  await buildManageProgram((text) => { output += text; }).parseAsync(['--config-file', configFile, ...args], { from: 'user' });
  return output;
}
