// ulm's version, from its package.json (found upward from this module, in source or in dist/).
import { existsSync, readFileSync } from 'node:fs';

function packageVersion(): string {
  for (let url = new URL('../package.json', import.meta.url); ; url = new URL('../../package.json', url)) {
    if (existsSync(url)) {
      const manifest = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'ulm' && manifest.version) return manifest.version;
    }
    if (url.pathname === '/package.json') return '0.0.0';
  }
}

export const VERSION = packageVersion();
export const PLANNER_NAME = `ulm ${VERSION}`;
