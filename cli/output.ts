// Output in the OpenStack client's conventions: `-f table|json|yaml|value|csv`, `-c COLUMN`
// (repeatable), `--sort-column`, `--fit-width`. Lists print rows; show-one commands print a
// Field/Value table. Tables look like cliff's (PrettyTable): rules around the header and at the
// bottom only, numbers right-aligned, fitted to the terminal.
import { createRequire } from 'node:module';
import { Option, type Command } from 'commander';

/** YAML text, with the library loaded on first use (most commands never print YAML; start-up counts). */
export function toYaml(value: unknown): string {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).stringify(value);
}

export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'value', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  format: OutputFormat;
  column: string[];
  sortColumn: string[];
  fitWidth: boolean;
}

export type Row = Record<string, unknown>;

/** Adds the output options to a command (lists get `--sort-column` too). */
export function withOutputOptions(command: Command, { list = false, formats = OUTPUT_FORMATS as readonly OutputFormat[] } = {}): Command {
  command
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default('table'))
    .option('-c, --column <column>', 'show only this column (repeat for more)', collect, [])
    .option('--fit-width', 'fit the table to the terminal width (always on a terminal; COLUMNS elsewhere)', false);
  if (list) command.option('--sort-column <column>', 'sort by this column (repeat for more)', collect, []);
  return command;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Thrown for a `-c` or `--sort-column` that names no column: usage error, exit 2. */
export class ColumnError extends Error {
  override name = 'ColumnError';
}

function pickColumns(columns: string[], wanted: string[] | undefined): string[] {
  if (!wanted?.length) return columns;
  for (const name of wanted) {
    if (!columns.includes(name)) throw new ColumnError(`no column named "${name}"; the columns are: ${columns.join(', ')}`);
  }
  return wanted;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvField(value: unknown): string {
  const plain = text(value);
  return /[",\n]/.test(plain) ? `"${plain.replace(/"/g, '""')}"` : plain;
}

/** The width to fit tables to: the terminal's; with --fit-width outside a terminal, COLUMNS (or 120). */
export function tableWidth(fitWidth: boolean, stream: { isTTY?: boolean; columns?: number } = process.stdout): number | null {
  if (stream.isTTY && stream.columns) return stream.columns;
  if (!fitWidth) return null;
  return Number(process.env.COLUMNS) || 120;
}

/** Narrowest a column is squeezed to when the table must fit (cliff's choice too). */
const MIN_COLUMN_WIDTH = 8;

/**
 * Column widths that fit `total` characters: narrow columns keep their width, the wide ones
 * share what is left equally (never below MIN_COLUMN_WIDTH, so a very narrow terminal overflows).
 */
export function fitColumns(natural: number[], total: number): number[] {
  const frame = 3 * natural.length + 1;
  let available = total - frame;
  if (natural.reduce((sum, width) => sum + width, 0) <= available) return natural;
  const fitted = natural.slice();
  const order = natural.map((width, index) => ({ width, index })).sort((a, b) => a.width - b.width);
  for (let position = 0; position < order.length; position += 1) {
    const share = Math.floor(available / (order.length - position));
    const { width, index } = order[position];
    fitted[index] = width <= share ? width : Math.max(MIN_COLUMN_WIDTH, share);
    available -= fitted[index];
  }
  return fitted;
}

/** Breaks one line of a cell into pieces of at most `width` characters, between words when it can. */
function wrapLine(line: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > 0 ? space : width;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ /, '');
  }
  pieces.push(rest);
  return pieces;
}

/**
 * A table as python-openstackclient prints it:
 * +------+-------+
 * | Name | State |
 * +------+-------+
 * | a    | up    |
 * +------+-------+
 * Cells may hold several lines; `width` (when given) is what the whole table must fit in.
 */
export function formatTable(head: string[], rows: unknown[][], width: number | null = null, alignNumbers = false): string {
  // In lists numbers read best right-aligned; cliff decides by the first row's values.
  const right = head.map((_, index) => alignNumbers && rows.length > 0 && typeof rows[0][index] === 'number');
  const cells = [head, ...rows.map((row) => head.map((_, index) => text(row[index])))].map((row) => row.map((cell) => cell.split('\n')));
  const natural = head.map((_, index) => Math.max(1, ...cells.map((row) => Math.max(...row[index].map((line) => line.length)))));
  const widths = width ? fitColumns(natural, width) : natural;
  const rule = `+${widths.map((columnWidth) => '-'.repeat(columnWidth + 2)).join('+')}+`;
  const line = (row: string[][], isHead: boolean) => {
    const wrapped = row.map((cell, index) => cell.flatMap((piece) => wrapLine(piece, widths[index])));
    const height = Math.max(...wrapped.map((cell) => cell.length));
    const out: string[] = [];
    for (let number = 0; number < height; number += 1) {
      out.push(`| ${wrapped.map((cell, index) => {
        const piece = cell[number] ?? '';
        return !isHead && right[index] ? piece.padStart(widths[index]) : piece.padEnd(widths[index]);
      }).join(' | ')} |`);
    }
    return out;
  };
  return [rule, ...line(cells[0], true), rule, ...cells.slice(1).flatMap((row) => line(row, false)), rule].join('\n');
}

function table(head: string[], rows: unknown[][], fitWidth: boolean, alignNumbers = false): string {
  return formatTable(head, rows, tableWidth(fitWidth), alignNumbers);
}

/** Rows sorted by the --sort-column names (numbers as numbers), stable. */
function sortRows(rows: Row[], sortBy: string[]): Row[] {
  if (!sortBy.length) return rows;
  return rows.slice().sort((a, b) => {
    for (const name of sortBy) {
      const left = a[name];
      const right = b[name];
      const order = typeof left === 'number' && typeof right === 'number' ? left - right : text(left).localeCompare(text(right));
      if (order) return order;
    }
    return 0;
  });
}

/** Renders a list of rows (a Lister). `columns` gives the default column order. */
export function renderList(rows: Row[], columns: string[], options: Partial<OutputOptions> & Pick<OutputOptions, 'format'>): string {
  const shown = pickColumns(columns, options.column);
  const sorted = options.sortColumn?.length ? sortRows(rows, pickColumns(columns, options.sortColumn)) : rows;
  const picked = sorted.map((row) => Object.fromEntries(shown.map((name) => [name, row[name] ?? null])));
  switch (options.format) {
    case 'json': return `${JSON.stringify(picked, null, 2)}\n`;
    case 'yaml': return toYaml(picked);
    case 'value': return picked.map((row) => shown.map((name) => text(row[name])).join(' ')).join('\n') + (picked.length ? '\n' : '');
    case 'csv': return [shown.map(csvField).join(','), ...picked.map((row) => shown.map((name) => csvField(row[name])).join(','))].join('\n') + '\n';
    default: return `${table(shown, picked.map((row) => shown.map((name) => row[name])), options.fitWidth ?? false, true)}\n`;
  }
}

/** Renders one record (a ShowOne): a Field/Value table, or the record itself. */
export function renderOne(record: Row, options: Partial<OutputOptions> & Pick<OutputOptions, 'format'>): string {
  const fields = pickColumns(Object.keys(record), options.column);
  const picked = Object.fromEntries(fields.map((name) => [name, record[name]]));
  switch (options.format) {
    case 'json': return `${JSON.stringify(picked, null, 2)}\n`;
    case 'yaml': return toYaml(picked);
    case 'value': return fields.map((name) => text(picked[name])).join('\n') + '\n';
    case 'csv': return `${fields.map(csvField).join(',')}\n${fields.map((name) => csvField(picked[name])).join(',')}\n`;
    default: return `${table(['Field', 'Value'], fields.map((name) => [name, picked[name]]), options.fitWidth ?? false)}\n`;
  }
}

/** A titled table for human output that has several parts (plan summaries). */
export function renderSection(title: string, head: string[], rows: unknown[][], fitWidth = false): string {
  return `${title}\n${table(head, rows, fitWidth)}\n`;
}
