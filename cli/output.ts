// Output in the OpenStack client's conventions: `-f table|json|yaml|value|csv`, `-c COLUMN`
// (repeatable), `--sort-column`, `--fit-width`. Lists print rows; show-one commands print a
// Field/Value table.
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';

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
    .option('--fit-width', 'fit the table to the terminal width', false);
  if (list) command.option('--sort-column <column>', 'sort by this column (repeat for more)', collect, []);
  return command;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Thrown for a `-c` or `--sort-column` that names no column: usage error, exit 2. */
export class ColumnError extends Error {}

function pickColumns(columns: string[], wanted: string[]): string[] {
  if (!wanted.length) return columns;
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

function terminalWidth(): number {
  return process.stdout.columns || Number(process.env.COLUMNS) || 120;
}

function table(head: string[], rows: unknown[][], fitWidth: boolean): string {
  const options: ConstructorParameters<typeof Table>[0] = { head, style: { head: [], border: [] } };
  if (fitWidth && head.length) {
    const width = Math.max(10, Math.floor((terminalWidth() - head.length - 1) / head.length) - 2);
    options.colWidths = head.map(() => width);
    options.wordWrap = true;
  }
  const out = new Table(options);
  for (const row of rows) out.push(row.map(text));
  return out.toString();
}

/** Renders a list of rows (a Lister). `columns` gives the default column order. */
export function renderList(rows: Row[], columns: string[], options: OutputOptions): string {
  const shown = pickColumns(columns, options.column);
  const sortBy = pickColumns(columns, options.sortColumn ?? []);
  const sorted = sortBy.length && options.sortColumn.length
    ? rows.slice().sort((a, b) => {
      for (const name of sortBy) {
        const left = a[name];
        const right = b[name];
        const order = typeof left === 'number' && typeof right === 'number' ? left - right : text(left).localeCompare(text(right));
        if (order) return order;
      }
      return 0;
    })
    : rows;
  const picked = sorted.map((row) => Object.fromEntries(shown.map((name) => [name, row[name] ?? null])));
  switch (options.format) {
    case 'json': return `${JSON.stringify(picked, null, 2)}\n`;
    case 'yaml': return toYaml(picked);
    case 'value': return picked.map((row) => shown.map((name) => text(row[name])).join(' ')).join('\n') + (picked.length ? '\n' : '');
    case 'csv': return [shown.map(csvField).join(','), ...picked.map((row) => shown.map((name) => csvField(row[name])).join(','))].join('\n') + '\n';
    default: return `${table(shown, picked.map((row) => shown.map((name) => row[name])), options.fitWidth)}\n`;
  }
}

/** Renders one record (a ShowOne): a Field/Value table, or the record itself. */
export function renderOne(record: Row, options: OutputOptions): string {
  const fields = pickColumns(Object.keys(record), options.column);
  const picked = Object.fromEntries(fields.map((name) => [name, record[name]]));
  switch (options.format) {
    case 'json': return `${JSON.stringify(picked, null, 2)}\n`;
    case 'yaml': return toYaml(picked);
    case 'value': return fields.map((name) => text(picked[name])).join('\n') + '\n';
    case 'csv': return `${fields.map(csvField).join(',')}\n${fields.map((name) => csvField(picked[name])).join(',')}\n`;
    default: return `${table(['Field', 'Value'], fields.map((name) => [name, picked[name]]), options.fitWidth)}\n`;
  }
}

/** A titled table for human output that has several parts (plan summaries). */
export function renderSection(title: string, head: string[], rows: unknown[][], fitWidth = false): string {
  return `${title}\n${table(head, rows, fitWidth)}\n`;
}
