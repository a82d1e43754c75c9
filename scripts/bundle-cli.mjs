// Bundles the compiled `ulm` command (dist/cli/main.js) into dist/ulm/: its modules and the
// pure-JavaScript libraries it loads at every start (TypeBox ships as hundreds of small ES
// modules) become a few files, which Node loads several times faster. Every command stays
// lazily loaded (one chunk per dynamic import); libraries with native code, WebAssembly, worker
// files or dialects loaded by name stay in node_modules.
// Run: node scripts/bundle-cli.mjs [DIST] (default: dist/ of the package, where tsc compiled).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED = new Set(['@sinclair/typebox', 'commander', 'cli-table3', 'ini']);
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]);

const dist = process.argv[2] ?? join(root, 'dist');
const output = join(dist, 'ulm');
rmSync(output, { recursive: true, force: true });
await build({
  // The planning thread's entry (services/planning-thread.ts) is loaded from beside the bundle's chunks.
  entryPoints: [{ in: join(dist, 'cli', 'main.js'), out: 'main' }, { in: join(dist, 'services', 'planning-worker.js'), out: 'planning-worker' }],
  outdir: output,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'warning',
  // Bundled CommonJS libraries (cli-table3, ini) call require() for Node's own modules.
  banner: { js: "import { createRequire as __ulmCreateRequire } from 'node:module'; const require = __ulmCreateRequire(import.meta.url);" },
});
