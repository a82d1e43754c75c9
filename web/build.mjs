// Builds the panel into web/static/ (what ulm-api serves): a clean directory, the TypeScript of
// web/src compiled by tsc (web/tsconfig.json), and the page, style sheet and icon copied beside it,
// with the npm libraries the panel runs in the browser (croner, for the calendar's windows).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const output = join(web, 'static');
const ASSETS = ['index.html', 'panel.css', 'favicon.svg'];

// Stale modules from renamed sources must not linger in what is served.
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(web, 'tsconfig.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('web/build.mjs: the panel did not compile (see above)');
  process.exit(compiled.status ?? 1);
}
for (const asset of ASSETS) copyFileSync(join(web, 'src', asset), join(output, asset));
// Libraries the panel runs, as their packages ship them (ES modules with no imports of their own):
// web/src/vendor/NAME.d.ts types each, and the panel imports it as ../vendor/NAME.js.
const require = createRequire(import.meta.url);
const VENDOR = { croner: 'dist/croner.js' };
mkdirSync(join(output, 'js', 'web', 'src', 'vendor'), { recursive: true });
for (const [name, file] of Object.entries(VENDOR)) {
  copyFileSync(join(dirname(require.resolve(`${name}/package.json`)), file), join(output, 'js', 'web', 'src', 'vendor', `${name}.js`));
}
console.log(`web/build.mjs: panel built into ${output}`);
