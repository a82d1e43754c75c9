// Small pieces the pages share: allocation and usage bars, state labels, links to records,
// the page header.

import { element } from '../dom.js';
import { hostStateLabel, percent, shortId } from '../format.js';

/** Green below 70 %, amber below 90 %, red from 90 %: how full, at a glance. */
export function levelOf(fraction: number): 'low' | 'medium' | 'high' {
  return fraction >= 0.9 ? 'high' : fraction >= 0.7 ? 'medium' : 'low';
}

/** A bar with its percentage; a meter for assistive technology. */
export function bar(fraction: number, label: string): HTMLElement {
  const width = Math.max(0, Math.min(1, fraction)) * 100;
  return element('div', {
    className: 'bar-cell',
    attributes: { role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(fraction * 100), 'aria-valuetext': percent(fraction) },
  },
  element('span', { className: 'bar' }, element('span', { className: `bar-fill ${levelOf(fraction)}`, attributes: { style: `width:${width.toFixed(1)}%` } })),
  element('span', { className: 'bar-text', text: percent(fraction) }),
  );
}

/** A host's name that may break after its dots (long FQDNs), never inside a word. */
export function hostName(name: string): HTMLElement {
  const parts = name.split('.');
  return element('span', { className: 'host-name' }, ...parts.flatMap((part, index) => (index < parts.length - 1 ? [element('span', { text: `${part}.` }), element('wbr')] : [element('span', { text: part })])));
}

export function hostStateBadge(state: string, detail?: string | null): HTMLElement {
  return element('span', { className: `badge host-state-${state}`, text: hostStateLabel(state), attributes: { title: detail ?? null } });
}

export function planStateBadge(state: string): HTMLElement {
  return element('span', { className: `badge plan-state-${state.toLowerCase()}`, text: state });
}

export function link(href: string, text: string, label?: string): HTMLAnchorElement {
  return element('a', { text, attributes: { href, 'aria-label': label ?? null } });
}

export function planLink(id: string): HTMLAnchorElement {
  return link(`#/action_plans/${encodeURIComponent(id)}`, shortId(id), `action plan ${id}`);
}

/** The page heading Horizon shows above the content. */
export function pageHeader(title: string, ...extra: Node[]): HTMLElement {
  document.title = `${title} - ulm`;
  return element('div', { className: 'page-header' }, element('h1', { text: title }), ...extra);
}
