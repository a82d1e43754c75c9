// Malformed JSON is reported with the line and column where it stops being valid.
import assert from 'node:assert/strict';
import { findJsonSyntaxProblem } from '../../../core/json-position.js';

describe('JSON syntax problems', () => {
  it('finds nothing wrong in valid JSON', () => {
    assert.equal(findJsonSyntaxProblem('{"a": [1, 2.5e3, "x\\n", true, null]}'), null);
  });

  const cases: [string, string, number, number, RegExp][] = [
    ['a trailing comma', '{\n  "hosts": [\n    {"name": "a",}\n  ]\n}', 3, 18, /property name/],
    ['a missing comma', '[1 2]', 1, 4, /',' or ']'/],
    ['text that ends early', '{"a": [1, 2', 1, 12, /the text ends there/],
    ['an unquoted key', '{name: 1}', 1, 2, /property name/],
    ['garbage after the value', '{} x', 1, 4, /end of the text/],
  ];
  for (const [what, text, line, column, expected] of cases) {
    it(`points at ${what}`, () => {
      const problem = findJsonSyntaxProblem(text);
      assert.ok(problem);
      assert.equal(problem.line, line);
      assert.equal(problem.column, column);
      assert.match(problem.expected, expected);
    });
  }
});
