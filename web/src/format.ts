// How numbers, sizes and times read in the panel: percentages of capacity, memory in GiB, times
// in the browser's zone, the operator's words for states and exemptions.

import type { ExemptionView } from './api/records.js';

export function percent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function memory(megabytes: number | null | undefined): string {
  if (megabytes === null || megabytes === undefined || !Number.isFinite(megabytes)) return '–';
  if (Math.abs(megabytes) < 1024) return `${Math.round(megabytes)} MiB`;
  const gibibytes = megabytes / 1024;
  return `${gibibytes >= 100 ? Math.round(gibibytes) : gibibytes.toFixed(1).replace(/\.0$/, '')} GiB`;
}

export function decimal(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits).replace(/\.0+$/, '');
}

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  const time = Date.parse(iso);
  return Number.isFinite(time) ? dateTime.format(time) : iso;
}

export function day(iso: string): string {
  const time = Date.parse(iso);
  return Number.isFinite(time) ? shortDate.format(time) : iso;
}

/** `a few seconds`, `3 min`, `2 h 5 min`. */
export function duration(fromIso: string | null | undefined, toIso: string | null | undefined, now = Date.now()): string {
  if (!fromIso) return '–';
  const milliseconds = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return '–';
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `max_host_cpu` -> `Max host CPU`: schema field names as form labels. */
export function labelOf(name: string): string {
  const words = name.split('_').map((word) => ACRONYMS[word] ?? word);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ACRONYMS: Record<string, string> = { cpu: 'CPU', vcpu: 'vCPU', vcpus: 'vCPUs', id: 'ID', ids: 'IDs', kwh: 'kWh', az: 'AZ' };

/** Host states as the operator says them. */
export const HOST_STATE_LABELS: Record<string, string> = {
  active: 'Active',
  empty: 'Empty',
  draining: 'Draining',
  maintenance: 'Maintenance',
  powered_off: 'Powered off',
  disabled: 'Disabled',
  down: 'Down',
};

export function hostStateLabel(state: string): string {
  return HOST_STATE_LABELS[state] ?? state;
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** `not during 08:00-18:00 mon,tue Europe/Berlin (licence)`, as the CLI says it. */
export function describeExemption(exemption: ExemptionView): string {
  let text: string;
  if (exemption.kind === 'never') text = 'never moves';
  else if (exemption.kind === 'windows') {
    text = `not during ${(exemption.windows ?? []).map((window) => [`${window.start}-${window.end}`, window.days?.join(','), window.timezone].filter(Boolean).join(' ')).join('; ')}`;
  } else text = `anti-affinity ${exemption.tag ?? ''}`;
  return exemption.reason ? `${text} (${exemption.reason})` : text;
}
