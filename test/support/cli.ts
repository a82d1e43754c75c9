// Runs the `ulm` command in a child process and captures its exit code and output.
// ./bin/ulm when dist/ is at least as new as the sources, else the same main() from the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './scorer.js';

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let built: boolean | undefined;

/** True when dist/ was built after the last change to cli/ and core/. */
function distIsCurrent(): boolean {
  if (built === undefined) {
    const main = join(REPO_ROOT, 'dist', 'ulm', 'main.js');
    built = existsSync(main) && statSync(main).mtimeMs >= Math.max(newestSource(join(REPO_ROOT, 'cli')), newestSource(join(REPO_ROOT, 'core')));
  }
  return built;
}

/** `ulm ARGS...` in `cwd`. */
export function ulm(args: string[], cwd = REPO_ROOT): CommandResult {
  const environment = { ...process.env };
  // Neither is needed offline; the CA bundle alone triples node's start-up time.
  delete environment.NODE_EXTRA_CA_CERTS;
  delete environment.NODE_OPTIONS;
  const command = distIsCurrent()
    ? [join(REPO_ROOT, 'bin', 'ulm'), ...args]
    : ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'ulm-from-source.ts'), ...args];
  const run = spawnSync(process.execPath, command, { cwd, encoding: 'utf8', env: environment });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
