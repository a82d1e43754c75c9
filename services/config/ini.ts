// Reads ini text the way oslo.config's parser does, keeping line numbers for error messages.
// Not the `ini` package: it treats "#" and ";" inside values as comments (cutting passwords
// short), turns "true" and "null" into non-strings and nests dotted section names.
import type { Issue } from '../../core/validation.js';

export interface IniEntry {
  section: string;
  /** Line of the `[section]` header, for errors about the section itself. */
  sectionLine: number;
  option: string;
  value: string;
  line: number;
}

export interface IniDocument {
  sections: { name: string; line: number }[];
  entries: IniEntry[];
  issues: Issue[];
}

/**
 * oslo's rules: whole-line comments start with "#" or ";" (never inline, so values may contain
 * them); `name = value` or `name: value`; matching outer quotes are removed; an indented line
 * continues the previous value. Section names are case-insensitive (DEFAULT is written so).
 */
export function parseIni(text: string, file: string): IniDocument {
  const document: IniDocument = { sections: [], entries: [], issues: [] };
  let section: { name: string; line: number } | undefined;
  let last: IniEntry | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed) {
      last = undefined;
      return;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (/^\s/.test(raw)) {
      if (last) last.value = `${last.value}\n${trimmed}`;
      else document.issues.push({ path: `${file}:${line}`, message: 'an indented line continues a value, but no option precedes it; remove the indentation' });
      return;
    }
    last = undefined;
    if (trimmed.startsWith('[')) {
      const name = /^\[([^\]]*)\]$/.exec(trimmed)?.[1]?.trim();
      if (!name) {
        document.issues.push({ path: `${file}:${line}`, message: `"${trimmed}" is not a section header; expected [NAME], e.g. [database]` });
        section = undefined;
        return;
      }
      section = { name: name.toLowerCase() === 'default' ? 'DEFAULT' : name.toLowerCase(), line };
      document.sections.push(section);
      return;
    }
    const separator = trimmed.search(/[=:]/);
    if (separator <= 0) {
      document.issues.push({ path: `${file}:${line}`, message: `"${trimmed.length > 40 ? `${trimmed.slice(0, 37)}...` : trimmed}" is not an option; expected NAME = VALUE` });
      return;
    }
    const option = trimmed.slice(0, separator).trim();
    if (!section) {
      document.issues.push({ path: `${file}:${line}`, message: `option ${option} is outside any section; put it under a section header such as [DEFAULT]` });
      return;
    }
    let value = trimmed.slice(separator + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === '\'') && value.at(-1) === value[0]) value = value.slice(1, -1);
    last = { section: section.name, sectionLine: section.line, option, value, line };
    document.entries.push(last);
  });
  return document;
}
