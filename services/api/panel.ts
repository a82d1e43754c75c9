// The hook that serves the web panel (web/static/, built by the panel's own tooling) from
// ulm-api for paths that are not the API's: static files, and index.html for the panel's
// own client-side routes when a browser asks.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyRequest } from 'fastify';

/**
 * The security headers of every answer (through @fastify/helmet), fitted to what the panel does:
 * its scripts and styles are files of its own (no inline script anywhere), it calls only its own
 * origin, and it is never framed. Its bars and swatches set their width and colour in `style`
 * attributes, hence style-src-attr; a `<style>` element stays refused. No
 * upgrade-insecure-requests nor Strict-Transport-Security: ulm-api may be served over plain HTTP
 * on a management network, and a proxy that adds TLS is the place to pin it.
 */
export const PANEL_SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      styleSrcAttr: ["'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** `web/static` of the ulm package (run from source or from dist/), when the panel has been built. */
export function defaultPanelDirectory(): string | null {
  for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
    if (isUlmPackage(join(directory, 'package.json'))) {
      const panel = join(directory, 'web', 'static');
      return existsSync(panel) && statSync(panel).isDirectory() ? panel : null;
    }
    if (dirname(directory) === directory) return null;
  }
}

function isUlmPackage(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === 'ulm';
  } catch {
    return false;
  }
}

/** Paths that belong to the API: never answered with the panel. */
export function isApiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/') || path === '/metrics';
}

/** True when the client prefers a web page to JSON (a browser navigating, not curl or the CLI). */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('text/html') && !accept.includes('application/json');
}

export interface PanelFile {
  content: Buffer;
  contentType: string;
}

/**
 * The panel file a GET asks for, or index.html for a browser on any other panel path (the
 * panel's own client-side routes); null when there is nothing to serve (the caller answers 404).
 */
export async function findPanelFile(directory: string, request: FastifyRequest): Promise<PanelFile | null> {
  const root = resolve(directory);
  let path: string;
  try {
    path = decodeURIComponent(request.url.split('?')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(join(root, path));
  // resolve() has removed any `..`: what is left must still lie inside the panel's directory.
  const inside = file === root || file.startsWith(root + sep);
  const index = join(root, 'index.html');
  const target = inside && isFile(file) ? file : wantsHtml(request) && isFile(index) ? index : null;
  if (!target) return null;
  return { content: await readFile(target), contentType: CONTENT_TYPES[extname(target)] ?? 'application/octet-stream' };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
