// The `ulm` command compiled and bundled from the working tree into DIR, as `npm run build`
// makes it (tsc, then scripts/bundle-cli.mjs), with bin/ulm beside it: what the benchmarks run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/scorer.js';

export function buildCli(directory: string): void {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(directory, 'dist'), '--sourceMap', 'false'], { stdio: 'inherit' });
  // tsc emits even with type errors elsewhere in the tree (another change in progress): run what it emitted.
  if (!existsSync(join(directory, 'dist', 'cli', 'main.js'))) throw new Error(`the CLI did not compile (tsc exit ${compiled.status})`);
  const bundled = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle-cli.mjs'), join(directory, 'dist')], { stdio: 'inherit' });
  if (bundled.status !== 0) throw new Error(`the CLI did not bundle (scripts/bundle-cli.mjs exit ${bundled.status})`);
  mkdirSync(join(directory, 'bin'), { recursive: true });
  cpSync(join(REPO_ROOT, 'bin', 'ulm'), join(directory, 'bin', 'ulm'));
}

/** True when DIR holds a built command. */
export function cliBuiltIn(directory: string): boolean {
  return existsSync(join(directory, 'dist', 'ulm', 'main.js'));
}
