// One colour meaning per thing: every meaning the panel's code names is declared once in
// panel.css, with a class for swatches, and no two meanings share a colour unless one is
// declared as the other (var(--colour-…)): a change of colour is then one line for every page.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { COLOUR_MEANINGS } from '../../../web/src/ui/colour-meanings.js';

const css = readFileSync(new URL('../../../web/src/panel.css', import.meta.url), 'utf8');
const declared = new Map([...css.matchAll(/^\s*--colour-([a-z-]+):\s*([^;]+);/gm)].map(([, name, value]) => [name, value.trim()]));

describe('the panel\'s colour meanings', () => {
  it('declares each meaning the code names, once, with its swatch class', () => {
    for (const meaning of COLOUR_MEANINGS) {
      assert.ok(declared.has(meaning), `panel.css declares --colour-${meaning}`);
      assert.equal([...css.matchAll(new RegExp(`^\\s*--colour-${meaning}:`, 'gm'))].length, 1, `--colour-${meaning} is declared once`);
      assert.ok(css.includes(`.colour-${meaning} { background: var(--colour-${meaning}); }`), `.colour-${meaning} paints a swatch`);
    }
    assert.deepEqual([...declared.keys()].filter((name) => !(COLOUR_MEANINGS as readonly string[]).includes(name)), [], 'no meaning in panel.css that the code does not know');
  });

  it('gives no two meanings the same colour, unless one is declared as the other', () => {
    const byColour = new Map<string, string[]>();
    for (const [name, value] of declared) {
      if (value.startsWith('var(--colour-')) continue;
      byColour.set(value.toLowerCase(), [...(byColour.get(value.toLowerCase()) ?? []), name]);
    }
    assert.deepEqual([...byColour].filter(([, names]) => names.length > 1), []);
  });

  it('paints host states, plan states and bars with the meanings, not with colours of their own', () => {
    const rules = css.split('\n').filter((line) => /^\.(host-state-|plan-state-|bar-fill\.|progress-bar|badge\.stale)/.test(line));
    assert.ok(rules.length >= 15, `found the rules (${rules.length})`);
    assert.deepEqual(rules.filter((line) => /background:\s*#/.test(line)), [], 'no hard-coded background');
  });
});
