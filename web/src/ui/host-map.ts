// Every host as a box with its servers inside, its allocation and usage bars and its state, drawn
// on one canvas. Only the rows in view are drawn, and only when something changed (a scroll, a
// resize, new data), so a 1,000-host cloud costs a screenful of boxes per frame, not 1,000
// boxes and 20,000 server nodes in the DOM. Keyboard: arrows move, Enter shows the host.

import type { HostState } from '../api/records.js';
import { element } from '../dom.js';
import { hostStateLabel, percent } from '../format.js';
import { colour, HOST_STATE_MEANINGS, type ColourMeaning } from './colours.js';

/** How a server is drawn: each tone is one colour meaning of panel.css. */
export type ServerTone = 'normal' | 'exempt' | 'pinned' | 'moved' | 'temporary';

export interface MapHost {
  name: string;
  state: HostState;
  detail: string | null;
  /** `note` says why the server has its tone (in the host's tooltip). */
  servers: Array<{ name: string; tone: ServerTone; note?: string }>;
  /** Null where it is not known (a step between waves that neither picture shows): drawn as "–". */
  vcpu_allocation: number | null;
  memory_allocation: number | null;
  cpu_usage: number | null;
  memory_usage: number | null;
  /** Drawn with a frame of the "changed host" colour: the plan changes this host. */
  changed?: boolean;
}

export interface HostMapOptions {
  /** The map's accessible name ("Hosts", "Before the plan"). */
  label: string;
  /** Called when a host is chosen (click or Enter). */
  onSelect?: (host: MapHost) => void;
  /** Largest height, as a fraction of the window's (the rest scrolls). */
  maxViewportFraction?: number;
}

const TONE_MEANINGS: Record<ServerTone, ColourMeaning> = { normal: 'server', exempt: 'exempt', pinned: 'never-move', moved: 'moved', temporary: 'temporary' };
const LEVEL_MEANINGS: Record<'low' | 'medium' | 'high', ColourMeaning> = { low: 'level-low', medium: 'level-medium', high: 'level-high' };

const BOX_WIDTH = 172;
const BOX_HEIGHT = 112;
const GAP = 8;
const ROW_HEIGHT = BOX_HEIGHT + GAP;
const COLUMN_WIDTH = BOX_WIDTH + GAP;
const SQUARE = 9;
const SQUARE_STEP = 11;
const SQUARES_PER_ROW = Math.floor((BOX_WIDTH - 16 + 2) / SQUARE_STEP);
const SQUARE_ROWS = 3;

export class HostMap {
  readonly element: HTMLElement;
  private readonly scroller: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly spacer: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private readonly context: CanvasRenderingContext2D;
  private hosts: MapHost[] = [];
  private shown: MapHost[] = [];
  private filter: ((host: MapHost) => boolean) | null = null;
  private columns = 1;
  private selected = -1;
  private frame = 0;
  private drawnOnce = false;
  private tag: string | null = null;
  private readonly resizeObserver: ResizeObserver;
  private readonly linked: HostMap[] = [];
  /** How long the last draw took (ms), for the e2e measurements. */
  lastDrawMs = 0;

  constructor(private readonly options: HostMapOptions) {
    this.canvas = element('canvas', { className: 'host-map-canvas', attributes: { tabindex: 0, role: 'img', 'aria-label': `${options.label}: no hosts yet` } });
    this.spacer = element('div', { className: 'host-map-spacer' });
    this.scroller = element('div', { className: 'host-map-scroller' }, this.canvas, this.spacer);
    this.tooltip = element('div', { className: 'host-map-tooltip', attributes: { role: 'tooltip', hidden: true } });
    this.element = element('div', { className: 'host-map', attributes: { 'data-hosts': 0 } }, this.scroller, this.tooltip);
    const context = this.canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('this browser cannot draw on a canvas');
    this.context = context;
    this.scroller.addEventListener('scroll', () => {
      this.tooltip.hidden = true;
      for (const other of this.linked) if (other.scroller.scrollTop !== this.scroller.scrollTop) other.scroller.scrollTop = this.scroller.scrollTop;
      this.schedule();
    }, { passive: true });
    this.canvas.addEventListener('mousemove', (event) => this.hover(event));
    this.canvas.addEventListener('mouseleave', () => { this.tooltip.hidden = true; });
    this.canvas.addEventListener('click', (event) => {
      const index = this.indexAt(event.offsetX, event.offsetY);
      if (index >= 0) this.select(index);
    });
    this.canvas.addEventListener('keydown', (event) => this.key(event));
    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe(this.scroller);
  }

  /** `tag` names this set of hosts ("wave-2"); the next draw puts it in `data-drawn-tag`, for tests. */
  setHosts(hosts: MapHost[], tag?: string): void {
    const selectedName = this.shown[this.selected]?.name;
    this.hosts = hosts;
    this.tag = tag ?? null;
    this.applyFilter();
    this.selected = selectedName ? this.shown.findIndex((host) => host.name === selectedName) : -1;
  }

  /** Shows only the hosts the predicate keeps (null: all). */
  setFilter(predicate: ((host: MapHost) => boolean) | null): void {
    this.filter = predicate;
    this.selected = -1;
    // Another set of hosts: start at its top, not somewhere past its end.
    this.scroller.scrollTop = 0;
    this.applyFilter();
  }

  /** Scroll two maps together (the plan's before and after). */
  linkScrolling(other: HostMap): void {
    this.linked.push(other);
    other.linked.push(this);
  }

  get hostsShown(): number {
    return this.shown.length;
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
  }

  private applyFilter(): void {
    this.shown = this.filter ? this.hosts.filter(this.filter) : this.hosts;
    const counts = new Map<string, number>();
    for (const host of this.shown) counts.set(host.state, (counts.get(host.state) ?? 0) + 1);
    const summary = [...counts].map(([state, count]) => `${count} ${hostStateLabel(state).toLowerCase()}`).join(', ');
    this.canvas.setAttribute('aria-label', `${this.options.label}: ${this.shown.length} hosts${summary ? ` (${summary})` : ''}. Arrow keys move between hosts, Enter shows one.`);
    this.element.setAttribute('data-hosts', String(this.shown.length));
    this.layout();
  }

  private layout(): void {
    const width = this.scroller.clientWidth;
    if (!width) return;
    this.columns = Math.max(1, Math.floor((width - GAP + GAP) / COLUMN_WIDTH));
    const rows = Math.ceil(this.shown.length / this.columns);
    const contentHeight = Math.max(ROW_HEIGHT, rows * ROW_HEIGHT + GAP);
    const wanted = Math.min(contentHeight, Math.max(240, Math.round(window.innerHeight * (this.options.maxViewportFraction ?? 0.62))));
    // The style sets the border box: what is inside the borders is what the canvas fills.
    this.scroller.style.height = `${wanted + this.scroller.offsetHeight - this.scroller.clientHeight}px`;
    const viewHeight = this.scroller.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${viewHeight}px`;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(viewHeight * ratio);
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    // The canvas stays in view (sticky); the spacer gives the scroller the full content's height.
    this.spacer.style.height = `${Math.max(0, contentHeight - viewHeight)}px`;
    this.schedule();
  }

  /** One draw per animation frame, however many scroll events arrive. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const started = performance.now();
    const context = this.context;
    const width = this.scroller.clientWidth;
    const height = this.scroller.clientHeight;
    const top = this.scroller.scrollTop;
    context.fillStyle = '#f6f7f9';
    context.fillRect(0, 0, width, height);
    if (!this.shown.length) {
      context.fillStyle = '#666';
      context.font = '14px system-ui, sans-serif';
      context.fillText(this.hosts.length ? 'No host matches the filter.' : 'No hosts: ulm has not collected a snapshot yet.', 16, 32);
    }
    const firstRow = Math.floor(top / ROW_HEIGHT);
    const lastRow = Math.floor((top + height) / ROW_HEIGHT);
    for (let row = firstRow; row <= lastRow; row++) {
      for (let column = 0; column < this.columns; column++) {
        const index = row * this.columns + column;
        if (index >= this.shown.length) break;
        this.drawHost(this.shown[index], GAP + column * COLUMN_WIDTH, GAP + row * ROW_HEIGHT - top, index === this.selected);
      }
    }
    this.lastDrawMs = performance.now() - started;
    if (this.tag !== null) this.element.setAttribute('data-drawn-tag', this.tag);
    if (!this.drawnOnce && this.hosts.length) {
      this.drawnOnce = true;
      // For the e2e measurements: when the first full picture was on screen.
      performance.mark(`ulm:host-map:first-draw:${this.options.label}`);
      this.element.setAttribute('data-drawn', 'true');
    }
  }

  private drawHost(host: MapHost, x: number, y: number, selected: boolean): void {
    const context = this.context;
    const stateColour = colour(HOST_STATE_MEANINGS[host.state] ?? 'disabled');
    const dim = host.state === 'powered_off' || host.state === 'down' || host.state === 'disabled';
    context.fillStyle = dim ? '#eceff2' : '#ffffff';
    context.fillRect(x, y, BOX_WIDTH, BOX_HEIGHT);
    context.lineWidth = selected ? 3 : host.changed ? 2 : 1;
    context.strokeStyle = selected ? '#1f5f8b' : host.changed ? colour('changed-host') : '#c8ccd1';
    context.strokeRect(x + 0.5, y + 0.5, BOX_WIDTH - 1, BOX_HEIGHT - 1);
    context.fillStyle = stateColour;
    context.fillRect(x, y, 5, BOX_HEIGHT);

    context.textBaseline = 'alphabetic';
    context.font = 'bold 12px system-ui, sans-serif';
    context.fillStyle = '#222';
    context.textAlign = 'left';
    context.fillText(clip(context, host.name, 92), x + 10, y + 16);
    context.font = '11px system-ui, sans-serif';
    context.fillStyle = stateColour;
    context.textAlign = 'right';
    context.fillText(hostStateLabel(host.state), x + BOX_WIDTH - 6, y + 16);
    context.textAlign = 'left';

    const squaresTop = y + 24;
    const capacity = SQUARES_PER_ROW * SQUARE_ROWS;
    const drawn = host.servers.length > capacity ? capacity - 1 : host.servers.length;
    for (let index = 0; index < drawn; index++) {
      const column = index % SQUARES_PER_ROW;
      const row = Math.floor(index / SQUARES_PER_ROW);
      const tone = host.servers[index].tone;
      const left = x + 10 + column * SQUARE_STEP;
      const top = squaresTop + row * SQUARE_STEP;
      context.fillStyle = colour(TONE_MEANINGS[tone]);
      context.fillRect(left, top, SQUARE, SQUARE);
      // A temporary move is told by its shape too (a hollow square), not by colour alone.
      if (tone === 'temporary') {
        context.fillStyle = '#ffffff';
        context.fillRect(left + 2.5, top + 2.5, SQUARE - 5, SQUARE - 5);
      }
    }
    if (host.servers.length > capacity) {
      context.fillStyle = '#555';
      context.font = '9px system-ui, sans-serif';
      context.fillText(`+${host.servers.length - drawn}`, x + 10 + (capacity - 1) % SQUARES_PER_ROW * SQUARE_STEP - 1, squaresTop + (SQUARE_ROWS - 1) * SQUARE_STEP + 8);
    }
    if (!host.servers.length) {
      context.fillStyle = '#888';
      context.font = 'italic 10px system-ui, sans-serif';
      context.fillText('no servers', x + 10, squaresTop + 10);
    }

    const half = (BOX_WIDTH - 10 - 6 - 8) / 2;
    this.drawBar(x + 10, y + 70, half, 'vCPU alloc', host.vcpu_allocation);
    this.drawBar(x + 10 + half + 8, y + 70, half, 'RAM alloc', host.memory_allocation);
    this.drawBar(x + 10, y + 94, half, 'CPU use', host.cpu_usage);
    this.drawBar(x + 10 + half + 8, y + 94, half, 'RAM use', host.memory_usage);
  }

  private drawBar(x: number, y: number, width: number, label: string, fraction: number | null): void {
    const context = this.context;
    context.font = '9px system-ui, sans-serif';
    context.fillStyle = '#555';
    context.fillText(`${label} ${fraction === null ? '–' : percent(fraction)}`, x, y);
    context.fillStyle = '#e3e6ea';
    context.fillRect(x, y + 3, width, 6);
    if (fraction === null) return;
    const value = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    context.fillStyle = colour(LEVEL_MEANINGS[fraction >= 0.9 ? 'high' : fraction >= 0.7 ? 'medium' : 'low']);
    context.fillRect(x, y + 3, width * value, 6);
  }

  private indexAt(offsetX: number, offsetY: number): number {
    const column = Math.floor((offsetX - GAP) / COLUMN_WIDTH);
    const row = Math.floor((offsetY + this.scroller.scrollTop - GAP) / ROW_HEIGHT);
    if (column < 0 || column >= this.columns || row < 0) return -1;
    const insideX = (offsetX - GAP) - column * COLUMN_WIDTH <= BOX_WIDTH;
    const insideY = (offsetY + this.scroller.scrollTop - GAP) - row * ROW_HEIGHT <= BOX_HEIGHT;
    const index = row * this.columns + column;
    return insideX && insideY && index < this.shown.length ? index : -1;
  }

  private hover(event: MouseEvent): void {
    const index = this.indexAt(event.offsetX, event.offsetY);
    if (index < 0) {
      this.tooltip.hidden = true;
      this.canvas.style.cursor = 'default';
      return;
    }
    this.canvas.style.cursor = 'pointer';
    const host = this.shown[index];
    const share = (fraction: number | null) => (fraction === null ? '–' : percent(fraction));
    const notes = host.servers.filter((server) => server.note).map((server) => server.note!);
    this.tooltip.replaceChildren(
      element('strong', { text: host.name }), ` ${hostStateLabel(host.state)}${host.detail ? ` (${host.detail})` : ''}`,
      element('br'), `${host.servers.length} servers; vCPU allocation ${share(host.vcpu_allocation)}, memory allocation ${share(host.memory_allocation)}`,
      element('br'), `CPU use ${share(host.cpu_usage)}, memory use ${share(host.memory_usage)}`,
      ...notes.flatMap((note) => [element('br'), note]),
    );
    this.tooltip.hidden = false;
    const left = Math.min(event.offsetX + 14, this.scroller.clientWidth - 280);
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${event.offsetY + 14}px`;
  }

  private select(index: number): void {
    this.selected = index;
    this.reveal(index);
    this.schedule();
    const host = this.shown[index];
    if (host) this.options.onSelect?.(host);
  }

  /** Scrolls the selected host's row into view. */
  private reveal(index: number): void {
    const rowTop = Math.floor(index / this.columns) * ROW_HEIGHT;
    const view = this.scroller.clientHeight;
    if (rowTop < this.scroller.scrollTop) this.scroller.scrollTop = rowTop;
    else if (rowTop + ROW_HEIGHT > this.scroller.scrollTop + view) this.scroller.scrollTop = rowTop + ROW_HEIGHT - view + GAP;
  }

  private key(event: KeyboardEvent): void {
    if (!this.shown.length) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: this.columns, ArrowUp: -this.columns, Home: -Infinity, End: Infinity };
    if (event.key in moves) {
      event.preventDefault();
      const from = this.selected < 0 ? 0 : this.selected;
      const to = Math.max(0, Math.min(this.shown.length - 1, this.selected < 0 ? 0 : from + moves[event.key]));
      this.select(to);
    } else if ((event.key === 'Enter' || event.key === ' ') && this.selected >= 0) {
      event.preventDefault();
      this.select(this.selected);
    }
  }
}

/** A name cut with an ellipsis to fit the box. */
function clip(context: CanvasRenderingContext2D, text: string, width: number): string {
  if (context.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && context.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
