// Flash messages, as Horizon shows them at the top of the page: "Success: ...", "Error: ...".
// Successes fade after a while; errors stay until dismissed, so nobody misses one.

import { element } from '../dom.js';

export type FlashKind = 'success' | 'info' | 'warning' | 'error';

const PREFIX: Record<FlashKind, string> = { success: 'Success:', info: 'Info:', warning: 'Warning:', error: 'Error:' };
const FADE_AFTER_MS: Record<FlashKind, number | null> = { success: 10_000, info: 10_000, warning: null, error: null };

/** A message raised this shortly before the page changes is about the change: it goes along. */
const CARRY_WITHIN_MS = 5_000;

let region: HTMLElement | null = null;

/** The live region the messages go to (layout.ts puts it on the page). */
export function flashRegion(): HTMLElement {
  region ??= element('div', { className: 'flash-messages', attributes: { 'aria-live': 'polite', 'aria-label': 'Messages' } });
  return region;
}

export function flash(kind: FlashKind, ...content: Array<Node | string>): HTMLElement {
  const close = element('button', { className: 'close', text: '×', attributes: { type: 'button', 'aria-label': 'Dismiss message' } });
  const message = element('div', {
    className: `alert alert-${kind}`,
    // An error interrupts the screen reader; the rest waits its turn.
    attributes: { role: kind === 'error' ? 'alert' : 'status' },
  }, close, element('strong', { text: PREFIX[kind] }), ' ', ...content);
  message.dataset.raisedAt = String(Date.now());
  close.addEventListener('click', () => message.remove());
  const target = flashRegion();
  target.prepend(message);
  // Old messages go once a page has many: they would push the page down.
  while (target.children.length > 5) target.lastElementChild?.remove();
  const fadeAfter = FADE_AFTER_MS[kind];
  if (fadeAfter !== null) setTimeout(() => message.remove(), fadeAfter);
  return message;
}

/**
 * A page was left for another: messages already shown on an earlier page go, those raised
 * just before leaving ("Created policy", then the plan's page) stay for one more page, as
 * Horizon shows a message on the page that follows the action.
 */
export function pageChanged(now = Date.now()): void {
  for (const message of [...flashRegion().children] as HTMLElement[]) {
    const fresh = now - Number(message.dataset.raisedAt ?? 0) < CARRY_WITHIN_MS;
    if (message.dataset.carried || !fresh) message.remove();
    else message.dataset.carried = 'true';
  }
}

export function clearFlash(): void {
  flashRegion().replaceChildren();
}
