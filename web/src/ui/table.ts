// Horizon's data table: a caption, table actions ("Create Policy"), a filter box, sortable
// columns, row actions (the first as a button, the rest under "More"), and pages of rows, so
// that 20,000 servers cost one page of DOM, not 20,000 rows.

import { debounce, element, replaceChildren, uniqueId } from '../dom.js';

export interface Column<Row> {
  /** The column's name for sorting and tests. */
  key: string;
  label: string;
  /** What the column sorts and filters by. */
  value: (row: Row) => string | number | null;
  /** What the cell shows; default: the value. */
  render?: (row: Row) => Node | string;
  numeric?: boolean;
  sortable?: boolean;
  /** Free text that may wrap (descriptions, reasons); other cells stay on one line. */
  wrap?: boolean;
}

export interface RowAction<Row> {
  label: string;
  run: (row: Row) => void;
  /** Red: the action destroys or disrupts something (it confirms first). */
  danger?: boolean;
  /** Only for rows where it applies (undrain: only hosts ulm holds). */
  appliesTo?: (row: Row) => boolean;
}

export interface TableAction {
  label: string;
  run: () => void;
  primary?: boolean;
}

export interface TableOptions<Row> {
  /** The table's accessible name and heading ("Hosts"). */
  caption: string;
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  actions?: RowAction<Row>[];
  tableActions?: TableAction[];
  /** Extra controls beside the filter box (a state select). */
  filters?: Node[];
  pageSize?: number;
  emptyText?: string;
  /** The column sorted by at first, and its direction. */
  sortBy?: { key: string; descending?: boolean };
}

export class DataTable<Row> {
  readonly element: HTMLElement;
  private rows: Row[] = [];
  /** Each row's text, lower-cased once, for the filter box. */
  private searchText: string[] = [];
  private shown: Row[] = [];
  private filterText = '';
  private sortKey: string | null;
  private descending: boolean;
  private page = 0;
  private readonly pageSize: number;
  private readonly body: HTMLTableSectionElement;
  private readonly headerCells = new Map<string, HTMLTableCellElement>();
  private readonly footer: HTMLElement;
  private readonly summary: HTMLElement;
  private loaded = false;

  constructor(private readonly options: TableOptions<Row>) {
    this.pageSize = options.pageSize ?? 25;
    this.sortKey = options.sortBy?.key ?? null;
    this.descending = options.sortBy?.descending ?? false;
    const captionId = uniqueId('table-caption');
    const filter = element('input', {
      className: 'form-control filter-input',
      attributes: { type: 'search', placeholder: 'Filter', 'aria-label': `Filter ${options.caption.toLowerCase()}` },
    });
    filter.addEventListener('input', debounce(() => {
      this.filterText = filter.value.trim().toLowerCase();
      this.page = 0;
      this.refresh();
    }, 120));
    const tableActions = (options.tableActions ?? []).map((action) => element('button', {
      className: `btn ${action.primary ? 'btn-primary' : 'btn-default'}`,
      text: action.label,
      attributes: { type: 'button' },
      on: { click: () => action.run() },
    }));
    const header = element('tr', {});
    for (const column of options.columns) {
      const cell = element('th', { className: column.numeric ? 'numeric' : '', attributes: { scope: 'col' } });
      if (column.sortable === false) cell.textContent = column.label;
      else {
        // The arrow is decoration: the header's aria-sort tells assistive technology the order.
        cell.append(element('button', { className: 'sort', attributes: { type: 'button' }, on: { click: () => this.sortOn(column.key) } },
          column.label, element('span', { className: 'sort-indicator', attributes: { 'aria-hidden': 'true' } })));
      }
      this.headerCells.set(column.key, cell);
      header.append(cell);
    }
    if (options.actions?.length) header.append(element('th', { className: 'actions-column', text: 'Actions', attributes: { scope: 'col' } }));
    this.body = element('tbody', {});
    this.summary = element('span', { className: 'table-summary', attributes: { 'aria-live': 'polite' } });
    this.footer = element('div', { className: 'table-pager' });
    this.element = element('section', { className: 'data-table', attributes: { 'aria-labelledby': captionId } },
      element('div', { className: 'table-toolbar' },
        element('h2', { id: captionId, className: 'table-title', text: options.caption }),
        element('div', { className: 'table-controls' }, ...(options.filters ?? []), filter, ...tableActions),
      ),
      element('div', { className: 'table-scroll' },
        element('table', { className: 'table table-striped', attributes: { 'aria-labelledby': captionId } }, element('thead', {}, header), this.body)),
      element('div', { className: 'table-footer' }, this.summary, this.footer),
    );
    this.updateSortHeaders();
    this.refresh();
  }

  setRows(rows: Row[]): void {
    this.rows = rows;
    this.loaded = true;
    this.searchText = rows.map((row) => this.options.columns.map((column) => String(column.value(row) ?? '')).join('\u0000').toLowerCase());
    this.refresh();
  }

  /** Shows a failure to load in place of the rows. */
  showError(message: string): void {
    replaceChildren(this.body, element('tr', {}, element('td', { className: 'table-message error', text: message, attributes: { colspan: this.columnCount() } })));
  }

  private columnCount(): number {
    return this.options.columns.length + (this.options.actions?.length ? 1 : 0);
  }

  private sortOn(key: string): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = false;
    }
    this.updateSortHeaders();
    this.refresh();
  }

  private updateSortHeaders(): void {
    for (const [key, cell] of this.headerCells) {
      const sorted = key === this.sortKey;
      cell.setAttribute('aria-sort', sorted ? (this.descending ? 'descending' : 'ascending') : 'none');
    }
  }

  private refresh(): void {
    let indexes = this.rows.map((_, index) => index);
    if (this.filterText) indexes = indexes.filter((index) => this.searchText[index].includes(this.filterText));
    const column = this.options.columns.find((candidate) => candidate.key === this.sortKey);
    if (column) {
      const values = new Map(indexes.map((index) => [index, column.value(this.rows[index])]));
      const direction = this.descending ? -1 : 1;
      indexes.sort((a, b) => direction * compare(values.get(a) ?? null, values.get(b) ?? null) || a - b);
    }
    this.shown = indexes.map((index) => this.rows[index]);
    const pages = Math.max(1, Math.ceil(this.shown.length / this.pageSize));
    this.page = Math.min(this.page, pages - 1);
    this.renderPage(pages);
  }

  private renderPage(pages: number): void {
    const first = this.page * this.pageSize;
    const visible = this.shown.slice(first, first + this.pageSize);
    if (!this.loaded) {
      replaceChildren(this.body, element('tr', {}, element('td', { className: 'table-message', text: 'Loading…', attributes: { colspan: this.columnCount() } })));
    } else if (!visible.length) {
      const text = this.rows.length ? 'No items match the filter.' : (this.options.emptyText ?? 'No items to display.');
      replaceChildren(this.body, element('tr', {}, element('td', { className: 'table-message', text, attributes: { colspan: this.columnCount() } })));
    } else {
      replaceChildren(this.body, ...visible.map((row) => this.renderRow(row)));
    }
    const total = this.shown.length;
    this.summary.textContent = total === this.rows.length
      ? `Displaying ${total} item${total === 1 ? '' : 's'}`
      : `Displaying ${total} of ${this.rows.length} items`;
    const previous = element('button', { className: 'btn btn-link', text: '« Prev', attributes: { type: 'button', disabled: this.page === 0 }, on: { click: () => { this.page--; this.renderPage(pages); } } });
    const next = element('button', { className: 'btn btn-link', text: 'Next »', attributes: { type: 'button', disabled: this.page >= pages - 1 }, on: { click: () => { this.page++; this.renderPage(pages); } } });
    replaceChildren(this.footer, ...(pages > 1 ? [previous, element('span', { text: `Page ${this.page + 1} of ${pages}` }), next] : []));
  }

  private renderRow(row: Row): HTMLTableRowElement {
    const cells = this.options.columns.map((column) => {
      const content = column.render ? column.render(row) : String(column.value(row) ?? '–');
      return element('td', { className: [column.numeric ? 'numeric' : '', column.wrap ? 'wrap' : ''].filter(Boolean).join(' '), attributes: { 'data-column': column.key } }, content);
    });
    const tableRow = element('tr', { attributes: { 'data-key': this.options.rowKey(row) } }, ...cells);
    const actions = (this.options.actions ?? []).filter((action) => !action.appliesTo || action.appliesTo(row));
    if (this.options.actions?.length) tableRow.append(element('td', { className: 'actions-column' }, actions.length ? rowActions(actions, row) : ''));
    return tableRow;
  }
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** The first action as a button, the others in a "More" menu, as Horizon's row actions. */
function rowActions<Row>(actions: RowAction<Row>[], row: Row): HTMLElement {
  const [first, ...others] = actions;
  const group = element('div', { className: 'btn-group' },
    // A destructive action confirms first: red text is warning enough, a red button in every row would shout.
    element('button', { className: `btn btn-sm btn-default${first.danger ? ' danger-text' : ''}`, text: first.label, attributes: { type: 'button' }, on: { click: () => first.run(row) } }),
  );
  if (!others.length) return group;
  const menuId = uniqueId('row-menu');
  const toggle = element('button', {
    className: 'btn btn-sm btn-default dropdown-toggle', text: 'More ▾',
    attributes: { type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId, 'aria-label': 'More actions' },
  });
  const menu = element('ul', { className: 'dropdown-menu', id: menuId, attributes: { role: 'menu', hidden: true } },
    ...others.map((action) => element('li', { attributes: { role: 'none' } }, element('button', {
      className: action.danger ? 'menu-item danger' : 'menu-item',
      text: action.label,
      attributes: { type: 'button', role: 'menuitem' },
      on: { click: () => { closeMenu(); action.run(row); } },
    }))),
  );
  const closeMenu = () => {
    menu.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside, true);
  };
  const outside = (event: Event) => {
    if (!group.contains(event.target as Node)) closeMenu();
  };
  toggle.addEventListener('click', () => {
    if (!menu.hidden) return closeMenu();
    menu.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    document.addEventListener('click', outside, true);
    menu.querySelector<HTMLButtonElement>('button')?.focus();
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      closeMenu();
      toggle.focus();
    }
  });
  group.append(toggle, menu);
  return group;
}
