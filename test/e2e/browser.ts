// Headless Chromium for the panel's e2e tests: Debian's chromium driven by playwright-core (no
// browser download), every page's console errors and failed API calls kept for the assertions,
// and screenshots under test-output/e2e/.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const OUTPUT = join(REPO, 'test-output', 'e2e');
/** Debian's package; ULM_E2E_CHROMIUM names another build. */
export const CHROMIUM = process.env.ULM_E2E_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Background networking off: the browser must not reach out of loopback on its own.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PanelPage {
  page: Page;
  /** Console errors, uncaught exceptions and 5xx answers seen so far. */
  problems: string[];
}

export async function openPanel(browser: Browser, baseUrl: string, options: { width?: number; height?: number } = {}): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1440, height: options.height ?? 900 }, baseURL: baseUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => { if (response.status() >= 500) problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`); });
  return { page, problems };
}

/** test-output/e2e/NAME.png, the whole page. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** No console error, no uncaught exception, no 5xx: what every test ends with. */
export function assertNoProblems(panel: PanelPage, allowed: RegExp[] = []): void {
  const left = panel.problems.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
  assert.deepEqual(left, [], 'the panel ran without errors');
}
