// The panel's colour meanings: each is one CSS custom property declared once in panel.css
// (`--colour-moved`…), used by the style sheet, the canvas host maps and the legends, so that a
// colour means one thing on every page. The canvas cannot use var(): it reads the computed value.

import { element } from '../dom.js';
import type { ColourMeaning } from './colour-meanings.js';

export { COLOUR_MEANINGS, type ColourMeaning } from './colour-meanings.js';

/** A host state's meaning: draining is work under way, down is a failure. */
export const HOST_STATE_MEANINGS: Record<string, ColourMeaning> = {
  active: 'active', empty: 'empty', draining: 'under-way', maintenance: 'maintenance',
  powered_off: 'powered-off', disabled: 'disabled', down: 'failed',
};

const resolved = new Map<ColourMeaning, string>();

/** The colour a meaning has in panel.css (for the canvas); grey when the sheet is not loaded. */
export function colour(meaning: ColourMeaning): string {
  let value = resolved.get(meaning);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(`--colour-${meaning}`).trim() || '#999999';
    // Before the style sheet has loaded the answer is empty: do not keep that.
    if (value !== '#999999') resolved.set(meaning, value);
  }
  return value;
}

/** A small square of the meaning's colour, hidden from assistive technology (the text says it). */
export function swatch(meaning: ColourMeaning, shape: 'square' | 'frame' = 'square'): HTMLElement {
  return element('span', { className: `swatch swatch-${shape} colour-${meaning}`, attributes: { 'aria-hidden': 'true' } });
}

/** A legend: each colour with what it means here. */
export function legend(label: string, entries: Array<[ColourMeaning, string, ('square' | 'frame')?]>): HTMLElement {
  return element('ul', { className: 'colour-legend', attributes: { 'aria-label': label } },
    ...entries.map(([meaning, text, shape]) => element('li', { attributes: { 'data-meaning': meaning } }, swatch(meaning, shape ?? 'square'), ` ${text}`)));
}
