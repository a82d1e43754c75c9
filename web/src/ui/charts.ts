// Simple SVG bar charts (the savings per window run): labelled axes, one bar per run with its
// value as a tooltip, and the numbers as a table for those who do not see the bars.

import { element, svgElement, uniqueId } from '../dom.js';

export interface BarDatum {
  /** Under the bar: the run's date. */
  label: string;
  /** In the tooltip and table: window name and period. */
  detail: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  unit: string;
  data: BarDatum[];
  digits?: number;
  colour?: string;
}

const WIDTH = 520;
const HEIGHT = 220;
const MARGIN = { top: 14, right: 12, bottom: 40, left: 52 };

export function barChart(options: BarChartOptions): HTMLElement {
  const titleId = uniqueId('chart-title');
  const digits = options.digits ?? 1;
  const figure = element('figure', { className: 'chart', attributes: { 'aria-labelledby': titleId } },
    element('figcaption', { id: titleId, text: options.title }));
  if (!options.data.length) {
    figure.append(element('p', { className: 'chart-empty', text: 'No window has run yet: savings appear after the first power-saving window.' }));
    return figure;
  }
  const maximum = Math.max(...options.data.map((datum) => datum.value), 0) || 1;
  const top = niceCeiling(maximum);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / options.data.length;
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const total = options.data.reduce((sum, datum) => sum + datum.value, 0);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img',
    'aria-label': `${options.title}: ${options.data.length} runs, ${total.toFixed(digits)} ${options.unit} in all`,
  });
  for (let step = 0; step <= 4; step++) {
    const value = (top * step) / 4;
    svg.append(
      svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value), class: 'grid-line' }),
      svgElement('text', { x: MARGIN.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis-label' }, formatTick(value)),
    );
  }
  svg.append(svgElement('text', { x: 12, y: MARGIN.top + plotHeight / 2, class: 'axis-title', transform: `rotate(-90 12 ${MARGIN.top + plotHeight / 2})`, 'text-anchor': 'middle' }, options.unit));
  // A label under every bar would overlap: about eight along the axis.
  const labelEvery = Math.max(1, Math.ceil(options.data.length / 8));
  options.data.forEach((datum, index) => {
    const x = MARGIN.left + slot * index + (slot - barWidth) / 2;
    const bar = svgElement('rect', { x, y: y(datum.value), width: barWidth, height: Math.max(0, y(0) - y(datum.value)), class: 'chart-bar', fill: options.colour ?? '#2a7ab0' },
      svgElement('title', {}, `${datum.detail}: ${datum.value.toFixed(digits)} ${options.unit}`));
    svg.append(bar);
    if (index % labelEvery === 0) {
      svg.append(svgElement('text', { x: x + barWidth / 2, y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle', class: 'axis-label' }, datum.label));
    }
  });
  svg.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0), class: 'axis-line' }));
  const table = element('table', { className: 'table table-condensed chart-table' },
    element('caption', { text: `${options.title} (data)` }),
    element('thead', {}, element('tr', {}, element('th', { text: 'Run', attributes: { scope: 'col' } }), element('th', { text: options.unit, attributes: { scope: 'col' } }))),
    element('tbody', {}, ...options.data.map((datum) => element('tr', {}, element('td', { text: datum.detail }), element('td', { className: 'numeric', text: datum.value.toFixed(digits) })))),
  );
  figure.append(svg, element('details', { className: 'chart-data' }, element('summary', { text: 'Show the numbers' }), table));
  return figure;
}

/** 1, 2, 2.5, 5 times a power of ten: axis ticks a reader can add up. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function formatTick(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1).replace(/\.0$/, '') : value.toFixed(2).replace(/\.?0+$/, '');
}
