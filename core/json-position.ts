// Finds where JSON text stops being valid, as line and column, for error messages that point
// at the spot (the runtime's own message does not always say where).

export interface JsonSyntaxProblem {
  line: number;
  column: number;
  expected: string;
}

/** Returns the first syntax problem in `text`, or null when it is valid JSON. */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | null {
  let at = 0;
  const fail = (expected: string): never => {
    throw Object.assign(new Error(at >= text.length ? `${expected}, but the text ends there` : expected), { at });
  };
  const space = () => { while (at < text.length && ' \t\n\r'.includes(text[at])) at++; };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length; else fail(`a value (${word}?)`);
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('four hex digits after \\u'); at += 4; }
        else if (!'"\\/bfnrt'.includes(text[at] ?? '')) fail('a valid escape after \\');
      } else if (text.charCodeAt(at) < 0x20) fail('no control characters inside a string');
      at++;
    }
    if (at >= text.length) fail('a closing quote');
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 64));
    if (!match) fail('a number');
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++; space();
      if (text[at] === '}') { at++; return; }
      for (;;) {
        space();
        if (text[at] !== '"') fail('a property name in double quotes');
        string(); space();
        if (text[at] !== ':') fail("':' after the property name");
        at++; value(); space();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === '}') { at++; return; }
        fail("',' or '}'");
      }
    }
    if (char === '[') {
      at++; space();
      if (text[at] === ']') { at++; return; }
      for (;;) {
        value(); space();
        if (text[at] === ',') { at++; continue; }
        if (text[at] === ']') { at++; return; }
        fail("',' or ']'");
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    if (char === '-' || (char >= '0' && char <= '9')) return number();
    fail('a value');
  };
  try {
    value();
    space();
    if (at < text.length) fail('the end of the text');
    return null;
  } catch (error) {
    const position = (error as { at: number }).at;
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    return { line, column: position - before.lastIndexOf('\n'), expected: (error as Error).message };
  }
}
