// The CLI prints lists and records in the OpenStack client's formats: table, json, yaml, value, csv.
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ColumnError, fitColumns, formatTable, renderList, renderOne, tableWidth, type OutputOptions } from '../../../cli/output.js';

const rows = [
  { Name: 'cmp-02', State: 'active', Servers: 12 },
  { Name: 'cmp-01', State: 'maintenance', Servers: 0 },
];
const columns = ['Name', 'State', 'Servers'];
const as = (format: OutputOptions['format'], extra: Partial<OutputOptions> = {}): OutputOptions => ({ format, column: [], sortColumn: [], fitWidth: false, ...extra });

describe('CLI output formats', () => {
  it('prints a table with a header row', () => {
    const table = renderList(rows, columns, as('table'));
    assert.match(table, /Name\s+\|\s+State\s+\|\s+Servers/);
    assert.match(table, /cmp-01\s+\|\s+maintenance/);
  });

  it('prints json and yaml as lists of objects keyed by column', () => {
    assert.deepEqual(JSON.parse(renderList(rows, columns, as('json'))), rows);
    assert.deepEqual(parseYaml(renderList(rows, columns, as('yaml'))), rows);
  });

  it('prints value as space-separated fields, one row per line', () => {
    assert.equal(renderList(rows, columns, as('value')), 'cmp-02 active 12\ncmp-01 maintenance 0\n');
  });

  it('prints csv with a header and quotes fields that need it', () => {
    const csv = renderList([{ Name: 'a,b', State: 'say "hi"', Servers: 1 }], columns, as('csv'));
    assert.equal(csv, 'Name,State,Servers\n"a,b","say ""hi""",1\n');
  });

  it('shows only the columns asked with -c, in that order', () => {
    assert.equal(renderList(rows, columns, as('value', { column: ['Servers', 'Name'] })), '12 cmp-02\n0 cmp-01\n');
  });

  it('sorts by --sort-column, numbers as numbers', () => {
    assert.equal(renderList(rows, columns, as('value', { column: ['Name'], sortColumn: ['Servers'] })), 'cmp-01\ncmp-02\n');
    assert.equal(renderList(rows, columns, as('value', { column: ['Name'], sortColumn: ['Name'] })), 'cmp-01\ncmp-02\n');
  });

  it('names the known columns when -c names an unknown one', () => {
    assert.throws(() => renderList(rows, columns, as('table', { column: ['Host'] })), (error: unknown) =>
      error instanceof ColumnError && /no column named "Host"; the columns are: Name, State, Servers/.test(error.message));
  });

  it('prints one record as a Field/Value table, or as its fields', () => {
    assert.match(renderOne({ id: 'p-1', state: 'ONGOING' }, as('table')), /Field\s+\|\s+Value/);
    assert.equal(renderOne({ id: 'p-1', state: 'ONGOING' }, as('value', { column: ['state'] })), 'ONGOING\n');
  });
});

describe('tables in the OpenStack client\'s style', () => {
  it('draws rules above and below the header and at the bottom only, numbers right-aligned', () => {
    assert.equal(renderList(rows, columns, as('table')), [
      '+--------+-------------+---------+',
      '| Name   | State       | Servers |',
      '+--------+-------------+---------+',
      '| cmp-02 | active      |      12 |',
      '| cmp-01 | maintenance |       0 |',
      '+--------+-------------+---------+',
      '',
    ].join('\n'));
  });

  it('fits a wide table to the terminal, wrapping the widest columns between words', () => {
    const reason = 'consolidate: empty cmp-07 so that it can be powered off for the night';
    const table = formatTable(['Wave', 'Server', 'Reason'], [[1, 'vm-01', reason]], 40);
    for (const line of table.split('\n')) assert.ok(line.length <= 40, `${line.length}: ${line}`);
    const reasonCells = table.split('\n').filter((line) => line.startsWith('| ')).slice(1).map((line) => line.split('|')[3].trim());
    assert.equal(reasonCells.join(' '), reason);
    assert.equal(formatTable(['Wave', 'Server', 'Reason'], [[1, 'vm-01', reason]], 200).split('\n').length, 5, 'no wrapping when it fits');
  });

  it('leaves narrow columns alone and shares the rest among the wide ones', () => {
    assert.deepEqual(fitColumns([4, 30, 30], 50), [4, 18, 18]);
    assert.deepEqual(fitColumns([4, 5, 6], 50), [4, 5, 6]);
    assert.deepEqual(fitColumns([40, 40], 10), [8, 8], 'never below 8 characters');
  });

  it('fits to the terminal on its own, and to COLUMNS with --fit-width elsewhere', () => {
    assert.equal(tableWidth(false, { isTTY: true, columns: 90 }), 90);
    assert.equal(tableWidth(false, { isTTY: false }), null);
    const saved = process.env.COLUMNS;
    process.env.COLUMNS = '70';
    try {
      assert.equal(tableWidth(true, { isTTY: false }), 70);
    } finally {
      if (saved === undefined) delete process.env.COLUMNS; else process.env.COLUMNS = saved;
    }
  });
});
