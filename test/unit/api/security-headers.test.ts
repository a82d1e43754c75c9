// The panel's security headers (@fastify/helmet): a Content-Security-Policy that lets the
// panel's own files run and nothing else, no framing, no sniffing, no referrer; on the panel's
// pages, its files, the API's JSON and its errors alike.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { ADMIN, testApi } from '../../support/api.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: unknown): Map<string, string[]> {
  assert.equal(typeof header, 'string', 'a Content-Security-Policy header');
  return new Map((header as string).split(';').map((part) => part.trim().split(/\s+/)).filter((words) => words[0]).map(([name, ...values]) => [name, values]));
}

function assertSecurityHeaders(answer: LightMyRequestResponse, what: string): void {
  const policy = directives(answer.headers['content-security-policy']);
  assert.deepEqual(policy.get('default-src'), ["'self'"], what);
  assert.deepEqual(policy.get('script-src'), ["'self'"], `${what}: only the panel's own script files, no inline script`);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], what);
  assert.deepEqual(policy.get('object-src'), ["'none'"], what);
  assert.deepEqual(policy.get('connect-src'), ["'self'"], `${what}: the panel calls its own API only`);
  assert.ok(!policy.has('upgrade-insecure-requests'), `${what}: a panel on plain HTTP keeps loading its files`);
  assert.equal(answer.headers['x-frame-options'], 'DENY', what);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(answer.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(answer.headers['strict-transport-security'], undefined, `${what}: TLS pinning is the TLS proxy's call`);
}

describe('security headers', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'ulm-panel-headers-'));
    mkdirSync(join(directory, 'js'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>ulm</title><script type="module" src="js/main.js"></script><div id="app"></div>');
    writeFileSync(join(directory, 'js', 'main.js'), 'document.title = "ulm";');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('the panel page and its files carry CSP, X-Frame-Options, X-Content-Type-Options and Referrer-Policy', async () => {
    const { app } = testApi({ panelDirectory: directory });
    const page = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<div id="app">/);
    assertSecurityHeaders(page, 'GET / (the panel)');
    const clientRoute = await app.inject({ method: 'GET', url: '/plans/some-plan', headers: { accept: 'text/html' } });
    assert.equal(clientRoute.statusCode, 200);
    assertSecurityHeaders(clientRoute, 'a panel route');
    const script = await app.inject({ method: 'GET', url: '/js/main.js' });
    assert.equal(script.statusCode, 200);
    assertSecurityHeaders(script, 'a panel script');
  });

  it('lets the panel set widths and colours in style attributes, but no <style> element or inline script', async () => {
    const { app } = testApi({ panelDirectory: directory });
    const policy = directives((await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })).headers['content-security-policy']);
    assert.deepEqual(policy.get('style-src'), ["'self'"]);
    assert.deepEqual(policy.get('style-src-attr'), ["'unsafe-inline'"]);
    assert.ok(!(policy.get('script-src') ?? []).includes("'unsafe-inline'"));
  });

  it('the API\'s answers and errors carry them too', async () => {
    const { app } = testApi();
    assertSecurityHeaders(await app.inject({ method: 'GET', url: '/v1/hosts', headers: ADMIN }), 'GET /v1/hosts');
    assertSecurityHeaders(await app.inject({ method: 'GET', url: '/v1/hosts' }), 'a 401');
    assertSecurityHeaders(await app.inject({ method: 'GET', url: '/v1/nowhere' }), 'a 404');
  });
});
