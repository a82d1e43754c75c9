// ulm's version, from its package.json (found upward from this module, in source or in dist/).
import { existsSync, readFileSync } from 'node:fs';

function packageVersion(): string {
  for (let folder = new URL('./', import.meta.url); ; folder = new URL('../', folder)) {
    const manifest = new URL('package.json', folder);
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'ulm' && parsed.version) return parsed.version;
    }
    if (folder.pathname === '/') return '0.0.0';
  }
}

export const VERSION = packageVersion();
export const PLANNER_NAME = `ulm ${VERSION}`;
