// Forms generated from the API's JSON Schemas (the policy, the power-saving window, the server
// exemption): one labelled field per property, nested objects as fieldsets, lists of objects as
// repeatable groups. The form does not judge values: it sends what was typed and the API, which
// validates with the same schema, answers issues whose paths (`document.max_host_cpu`) put each
// error next to its field.

import type { Issue } from '../api/records.js';
import type { JsonSchema } from '../api/schemas.js';
import { element, uniqueId } from '../dom.js';
import { labelOf } from '../format.js';

/** What a field gives the form: its value, or nothing (left empty: the API's default applies). */
type Reading = { present: false } | { present: true; value: unknown };

interface Field {
  element: HTMLElement;
  read(problems: Issue[]): Reading;
}

/** Where an error for a path is shown. */
interface ErrorSlot {
  show(message: string): void;
  clear(): void;
  focusTarget: HTMLElement | null;
}

export interface SchemaFormOptions {
  schema: JsonSchema;
  resolve: (schema: JsonSchema) => JsonSchema;
  /** The path of the object in the request body, as the API's issues name it: `document`, `window`; '' for the body itself. */
  prefix: string;
  initial?: Record<string, unknown>;
}

const NOTHING: Reading = { present: false };

export class SchemaForm {
  readonly element: HTMLElement;
  private readonly slots = new Map<string, ErrorSlot>();
  private readonly root: Field;

  constructor(private readonly options: SchemaFormOptions) {
    this.root = this.objectFields(options.resolve(options.schema), options.prefix, options.initial ?? {}, true);
    this.element = this.root.element;
  }

  /** The object to send; problems are what cannot even be sent (text that is not JSON). */
  read(): { value: Record<string, unknown>; problems: Issue[] } {
    const problems: Issue[] = [];
    const reading = this.root.read(problems);
    return { value: reading.present ? reading.value as Record<string, unknown> : {}, problems };
  }

  /** Puts each issue next to its field (or the nearest enclosing one); returns those with no place here. */
  showIssues(issues: Issue[]): Issue[] {
    const unplaced: Issue[] = [];
    let first: HTMLElement | null = null;
    for (const issue of issues) {
      const slot = this.slotFor(issue.path);
      if (!slot) {
        unplaced.push(issue);
        continue;
      }
      slot.show(issue.message);
      first ??= slot.focusTarget;
    }
    first?.focus();
    return unplaced;
  }

  clearIssues(): void {
    for (const slot of this.slots.values()) slot.clear();
  }

  /** Whether an issue's path belongs to this form (`document.x` for prefix `document`). */
  owns(path: string): boolean {
    if (!this.options.prefix) return true;
    return path === this.options.prefix || path.startsWith(`${this.options.prefix}.`) || path.startsWith(`${this.options.prefix}[`);
  }

  private slotFor(path: string): ErrorSlot | null {
    if (!this.owns(path)) return null;
    // `document.exemptions[0].not_during[1].timezone`, then `...not_during[1]`, `...not_during`, ... up to `document`.
    for (let candidate = path; candidate; candidate = parentPath(candidate)) {
      const slot = this.slots.get(candidate);
      if (slot) return slot;
    }
    return null;
  }

  private field(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown): Field {
    const resolved = this.options.resolve(schema);
    const options = resolved.anyOf?.map((option) => this.options.resolve(option));
    if (options && options.every((option) => option.const !== undefined)) {
      return this.choiceField(name, resolved, options.map((option) => option.const), path, required, initial);
    }
    if (options) {
      const notNull = options.filter((option) => option.type !== 'null');
      // `integer or null` (max_parallel_migrations): an empty field is the default, "no limit".
      if (notNull.length === 1) return this.field(name, { ...notNull[0], description: resolved.description ?? notNull[0].description }, path, required, initial);
      return this.jsonField(name, resolved, path, required, initial);
    }
    switch (resolved.type) {
      case 'string': return this.textField(name, resolved, path, required, initial, 'text');
      case 'number': case 'integer': return this.textField(name, resolved, path, required, initial, resolved.type);
      case 'boolean': return this.booleanField(name, resolved, path, required, initial);
      case 'array': {
        const items = this.options.resolve(resolved.items ?? {});
        const choices = items.anyOf?.map((option) => this.options.resolve(option));
        if (choices?.every((option) => option.const !== undefined)) return this.checkboxGroup(name, resolved, choices.map((option) => String(option.const)), path, initial);
        if (items.type === 'string') return this.listField(name, resolved, path, required, initial);
        if (items.type === 'object' && items.properties) return this.repeatedObjects(name, resolved, items, path, initial);
        return this.jsonField(name, resolved, path, required, initial);
      }
      case 'object':
        if (resolved.properties) return this.nestedObject(name, resolved, path, required, initial);
        return this.jsonField(name, resolved, path, required, initial);
      default:
        return this.jsonField(name, resolved, path, required, initial);
    }
  }

  private objectFields(schema: JsonSchema, path: string, initial: Record<string, unknown>, top: boolean): Field {
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => ({ name, field: this.field(name, property, path ? `${path}.${name}` : name, required.has(name), initial[name]) }));
    const container = element('div', { className: top ? 'schema-form' : 'schema-fields' }, ...fields.map((entry) => entry.field.element));
    return {
      element: container,
      read: (problems) => {
        const value: Record<string, unknown> = {};
        for (const { name, field } of fields) {
          const reading = field.read(problems);
          if (reading.present) value[name] = reading.value;
        }
        return Object.keys(value).length || top ? { present: true, value } : NOTHING;
      },
    };
  }

  /** A label, the control, the schema's description as help, and a place for the API's error. */
  private group(name: string, schema: JsonSchema, path: string, required: boolean, control: HTMLElement, extraHelp?: string): { element: HTMLElement; slot: ErrorSlot } {
    const id = control.id;
    const helpId = `${id}-help`;
    const errorId = `${id}-error`;
    const help = [schema.description, extraHelp].filter(Boolean).join(' ');
    const error = element('div', { className: 'field-error', id: errorId, attributes: { hidden: true } });
    control.setAttribute('aria-describedby', `${errorId}${help ? ` ${helpId}` : ''}`);
    if (required) control.setAttribute('aria-required', 'true');
    const wrapper = element('div', { className: 'form-group', attributes: { 'data-path': path } },
      // The label says only the name (aria-required says the rest): the star sits beside it.
      element('label', { attributes: { for: id } }, labelOf(name)), required ? requiredMark() : null,
      control,
      error,
      help ? element('p', { className: 'help-block', id: helpId, text: help }) : null,
    );
    const slot = errorSlot(wrapper, error, control);
    this.slots.set(path, slot);
    return { element: wrapper, slot };
  }

  private textField(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown, kind: 'text' | 'number' | 'integer'): Field {
    const input = element('input', {
      className: 'form-control',
      id: fieldId(path),
      attributes: {
        type: 'text',
        name: path,
        // Not type=number: the browser would turn "1,5" into nothing, and the API could not say what is wrong.
        inputmode: kind === 'integer' ? 'numeric' : kind === 'number' ? 'decimal' : null,
        placeholder: schema.hint ?? null,
        autocomplete: 'off',
      },
    });
    if (initial !== undefined && initial !== null) input.value = String(initial);
    const { element: wrapper } = this.group(name, schema, path, required, input);
    return {
      element: wrapper,
      read: () => {
        const text = input.value.trim();
        if (text === '') return NOTHING;
        if (kind === 'text') return { present: true, value: input.value };
        // A number when it reads as one; else the text as typed, for the API to name.
        return { present: true, value: /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text };
      },
    };
  }

  private choiceField(name: string, schema: JsonSchema, values: unknown[], path: string, required: boolean, initial: unknown): Field {
    const select = element('select', { className: 'form-control', id: fieldId(path), attributes: { name: path } },
      required ? element('option', { text: 'Select…', attributes: { value: '' } }) : element('option', { text: '(default)', attributes: { value: '' } }),
      ...values.map((value) => element('option', { text: String(value), attributes: { value: String(value) } })),
    );
    if (initial !== undefined) select.value = String(initial);
    const { element: wrapper } = this.group(name, schema, path, required, select);
    return {
      element: wrapper,
      read: () => {
        if (select.value === '') return NOTHING;
        return { present: true, value: values.find((value) => String(value) === select.value) };
      },
    };
  }

  private booleanField(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown): Field {
    // Three states: the API's default, yes, no. A checkbox could not say "default".
    const select = element('select', { className: 'form-control', id: fieldId(path), attributes: { name: path } },
      element('option', { text: required ? 'Select…' : '(default)', attributes: { value: '' } }),
      element('option', { text: 'Yes', attributes: { value: 'true' } }),
      element('option', { text: 'No', attributes: { value: 'false' } }),
    );
    if (typeof initial === 'boolean') select.value = String(initial);
    const { element: wrapper } = this.group(name, schema, path, required, select);
    return { element: wrapper, read: () => (select.value === '' ? NOTHING : { present: true, value: select.value === 'true' }) };
  }

  private listField(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown): Field {
    const input = element('input', { className: 'form-control', id: fieldId(path), attributes: { type: 'text', name: path, autocomplete: 'off', placeholder: 'comma-separated' } });
    if (Array.isArray(initial)) input.value = initial.join(', ');
    const { element: wrapper } = this.group(name, schema, path, required, input, 'Separate several with commas.');
    return {
      element: wrapper,
      read: () => {
        const items = input.value.split(',').map((item) => item.trim()).filter(Boolean);
        return items.length ? { present: true, value: items } : NOTHING;
      },
    };
  }

  private checkboxGroup(name: string, schema: JsonSchema, values: string[], path: string, initial: unknown): Field {
    const chosen = new Set(Array.isArray(initial) ? initial.map(String) : []);
    const boxes = values.map((value) => {
      const box = element('input', { id: fieldId(`${path}-${value}`), attributes: { type: 'checkbox', value, name: path } });
      box.checked = chosen.has(value);
      return box;
    });
    const legendId = uniqueId('legend');
    const error = element('div', { className: 'field-error', id: `${fieldId(path)}-error`, attributes: { hidden: true } });
    const fieldset = element('fieldset', { className: 'form-group checkbox-group', attributes: { 'data-path': path, 'aria-describedby': error.id } },
      element('legend', { id: legendId, text: labelOf(name) }),
      element('div', { className: 'checkbox-row' }, ...boxes.map((box) => element('label', { className: 'checkbox-inline' }, box, ` ${box.value}`))),
      error,
      schema.description ? element('p', { className: 'help-block', text: schema.description }) : null,
    );
    this.slots.set(path, errorSlot(fieldset, error, boxes[0] ?? null));
    return {
      element: fieldset,
      read: () => {
        const checked = boxes.filter((box) => box.checked).map((box) => box.value);
        return checked.length ? { present: true, value: checked } : NOTHING;
      },
    };
  }

  private nestedObject(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown): Field {
    const inner = this.objectFields(schema, path, isObject(initial) ? initial : {}, false);
    const error = element('div', { className: 'field-error', id: `${fieldId(path)}-error`, attributes: { hidden: true } });
    // Optional groups (metrics, overload) start folded, unless they hold values: most policies leave them out.
    const details = element('details', { className: 'form-section', attributes: { open: required || isObject(initial) } },
      element('summary', {}, labelOf(name)),
      schema.description ? element('p', { className: 'help-block', text: schema.description }) : null,
      error,
      inner.element,
    );
    const fieldset = element('fieldset', { className: 'nested', attributes: { 'data-path': path, 'aria-label': labelOf(name) } }, details);
    const slot = errorSlot(fieldset, error, null);
    this.slots.set(path, { ...slot, show: (message) => { details.open = true; slot.show(message); } });
    return {
      element: fieldset,
      read: (problems) => {
        const reading = inner.read(problems);
        return reading.present ? reading : required ? { present: true, value: {} } : NOTHING;
      },
    };
  }

  private repeatedObjects(name: string, schema: JsonSchema, items: JsonSchema, path: string, initial: unknown): Field {
    const list = element('div', { className: 'repeated-items' });
    const error = element('div', { className: 'field-error', id: `${fieldId(path)}-error`, attributes: { hidden: true } });
    const itemLabel = labelOf(singular(name));
    const add = element('button', { className: 'btn btn-default btn-sm', text: `Add ${itemLabel.toLowerCase()}`, attributes: { type: 'button' } });
    const fieldset = element('fieldset', { className: 'form-group repeated', attributes: { 'data-path': path } },
      element('legend', { text: labelOf(name) }),
      schema.description ? element('p', { className: 'help-block', text: schema.description }) : null,
      error, list, add,
    );
    this.slots.set(path, errorSlot(fieldset, error, add));
    let entries: Field[] = [];
    const render = (values: Array<Record<string, unknown>>) => {
      // Paths are positional (`windows[1].start`): renumber by building the items again.
      for (const key of [...this.slots.keys()]) if (key.startsWith(`${path}[`)) this.slots.delete(key);
      entries = values.map((value, index) => {
        const itemPath = `${path}[${index}]`;
        const inner = this.objectFields(items, itemPath, value, false);
        const itemError = element('div', { className: 'field-error', id: `${fieldId(itemPath)}-error`, attributes: { hidden: true } });
        const remove = element('button', { className: 'btn btn-link btn-sm', text: `Remove ${itemLabel.toLowerCase()} ${index + 1}`, attributes: { type: 'button' } });
        const box = element('fieldset', { className: 'repeated-item', attributes: { 'data-path': itemPath } },
          element('legend', { text: `${itemLabel} ${index + 1}` }), itemError, inner.element, remove);
        this.slots.set(itemPath, errorSlot(box, itemError, remove));
        remove.addEventListener('click', () => {
          const current = currentValues();
          current.splice(index, 1);
          render(current);
        });
        return { element: box, read: (problems: Issue[]) => inner.read(problems) };
      });
      list.replaceChildren(...entries.map((entry) => entry.element));
    };
    const currentValues = () => entries.map((entry) => {
      const reading = entry.read([]);
      return reading.present ? reading.value as Record<string, unknown> : {};
    });
    add.addEventListener('click', () => {
      render([...currentValues(), {}]);
      list.lastElementChild?.querySelector<HTMLElement>('input, select')?.focus();
    });
    render(Array.isArray(initial) ? initial.filter(isObject) : []);
    return {
      element: fieldset,
      read: (problems) => {
        if (!entries.length) return NOTHING;
        return { present: true, value: entries.map((entry) => { const reading = entry.read(problems); return reading.present ? reading.value : {}; }) };
      },
    };
  }

  /** What has no simpler control (metadata maps): JSON text, checked for syntax here and for meaning by the API. */
  private jsonField(name: string, schema: JsonSchema, path: string, required: boolean, initial: unknown): Field {
    const area = element('textarea', { className: 'form-control code', id: fieldId(path), attributes: { name: path, rows: 3, spellcheck: 'false' } });
    if (initial !== undefined) area.value = JSON.stringify(initial, null, 2);
    const { element: wrapper } = this.group(name, schema, path, required, area, 'JSON.');
    return {
      element: wrapper,
      read: (problems) => {
        const text = area.value.trim();
        if (!text) return NOTHING;
        try {
          return { present: true, value: JSON.parse(text) as unknown };
        } catch (error) {
          problems.push({ path, message: `is not valid JSON: ${(error as Error).message}` });
          return NOTHING;
        }
      },
    };
  }
}

/** The star of a required field, for the eye only. */
export function requiredMark(): HTMLElement {
  return element('span', { className: 'required', text: '*', attributes: { 'aria-hidden': 'true' } });
}

function errorSlot(wrapper: HTMLElement, error: HTMLElement, control: HTMLElement | null): ErrorSlot {
  return {
    show(message) {
      // Several issues may land on one field (a nested one lifted to its group): show them all.
      error.textContent = error.hidden || !error.textContent ? message : `${error.textContent} ${message}`;
      error.hidden = false;
      wrapper.classList.add('has-error');
      control?.setAttribute('aria-invalid', 'true');
    },
    clear() {
      error.textContent = '';
      error.hidden = true;
      wrapper.classList.remove('has-error');
      control?.removeAttribute('aria-invalid');
    },
    focusTarget: control,
  };
}

/** `document.exemptions[0].servers` -> `document.exemptions[0]` -> `document.exemptions` -> `document` -> ''. */
function parentPath(path: string): string {
  const match = /^(.*)(\[\d+\]|\.[^.[\]]+)$/.exec(path);
  return match ? match[1] : '';
}

/** An id a label can point at, stable for a path (tests and screen readers find fields by it). */
export function fieldId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}
