// Runs `ulm` in this process (main() from the sources) and captures its exit code and output,
// so that a test can talk to a fake ulm-api or read a snapshot file without spawning bin/ulm.
import { main } from '../../cli/main.js';

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
