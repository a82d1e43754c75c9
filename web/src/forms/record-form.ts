// A modal form for creating or changing a record: a few plain fields (name, description, the
// policy a window belongs to) above a form generated from the API's schema. It sends, and puts
// each issue the API answers next to its field; what belongs to no field shows at the top.

import { ApiFailure, describeFailure } from '../api/client.js';
import type { Issue } from '../api/records.js';
import { element } from '../dom.js';
import { openModal, type OpenModal } from '../ui/modal.js';
import { requiredMark, type SchemaForm } from './schema-form.js';

export interface PlainField {
  /** The field's path in the request body, as the API's issues name it: `name`, `policy`. */
  path: string;
  element: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  showError(message: string | null): void;
}

export interface PlainFieldOptions {
  path: string;
  label: string;
  kind?: 'text' | 'textarea' | 'select';
  value?: string;
  choices?: Array<{ value: string; label: string }>;
  required?: boolean;
  help?: string;
}

export function plainField(options: PlainFieldOptions): PlainField {
  const id = `field-${options.path}`;
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  let control: PlainField['control'];
  if (options.kind === 'textarea') control = element('textarea', { className: 'form-control', id, attributes: { rows: 2 } });
  else if (options.kind === 'select') {
    control = element('select', { className: 'form-control', id },
      ...(options.choices ?? []).map((choice) => element('option', { text: choice.label, attributes: { value: choice.value } })));
  } else control = element('input', { className: 'form-control', id, attributes: { type: 'text', autocomplete: 'off' } });
  control.setAttribute('name', options.path);
  control.setAttribute('aria-describedby', options.help ? `${errorId} ${helpId}` : errorId);
  if (options.required) control.setAttribute('aria-required', 'true');
  if (options.value !== undefined) control.value = options.value;
  const error = element('div', { className: 'field-error', id: errorId, attributes: { hidden: true } });
  const group = element('div', { className: 'form-group', attributes: { 'data-path': options.path } },
    element('label', { attributes: { for: id } }, options.label), options.required ? requiredMark() : null,
    control, error,
    options.help ? element('p', { className: 'help-block', id: helpId, text: options.help }) : null);
  return {
    path: options.path,
    element: group,
    control,
    showError(message) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      group.classList.toggle('has-error', message !== null);
      if (message === null) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', 'true');
    },
  };
}

export interface RecordFormOptions<Result> {
  title: string;
  submitLabel: string;
  /** A sentence on what the form does, Horizon's right-hand description. */
  intro?: string;
  fields: PlainField[];
  schemaForm?: SchemaForm;
  /** Sends the form; its ApiFailure issues are placed on the fields. */
  submit: (document: Record<string, unknown> | undefined) => Promise<Result>;
  onDone: (result: Result) => void;
}

export function openRecordForm<Result>(options: RecordFormOptions<Result>): OpenModal {
  const formError = element('div', { className: 'alert alert-error form-error', attributes: { role: 'alert', hidden: true } });
  const body = element('div', { className: 'record-form' },
    options.intro ? element('p', { className: 'form-intro', text: options.intro }) : null,
    formError,
    ...options.fields.map((field) => field.element),
    options.schemaForm?.element ?? null);

  const clear = () => {
    formError.hidden = true;
    formError.replaceChildren();
    for (const field of options.fields) field.showError(null);
    options.schemaForm?.clearIssues();
  };

  const place = (issues: Issue[], fallback: string) => {
    let rest = issues.filter((issue) => {
      const field = options.fields.find((candidate) => candidate.path === issue.path);
      field?.showError(issue.message);
      return !field;
    });
    if (options.schemaForm) rest = options.schemaForm.showIssues(rest);
    const summary = rest.length ? rest.map((issue) => `${issue.path}: ${issue.message}`).join('; ')
      : issues.length ? `${issues.length === 1 ? 'a field needs' : `${issues.length} fields need`} correcting: see the messages by the fields below.` : fallback;
    formError.replaceChildren(element('strong', { text: 'Error: ' }), summary);
    formError.hidden = false;
    // The first field with an error takes the focus (showIssues did, for the schema's fields).
    const firstPlain = options.fields.find((field) => issues.some((issue) => issue.path === field.path));
    firstPlain?.control.focus();
  };

  return openModal({
    title: options.title,
    submitLabel: options.submitLabel,
    wide: Boolean(options.schemaForm),
    body,
    onSubmit: async () => {
      clear();
      const reading = options.schemaForm?.read();
      if (reading?.problems.length) {
        place(reading.problems, 'the form has errors');
        return false;
      }
      try {
        const result = await options.submit(reading?.value);
        options.onDone(result);
        return true;
      } catch (error) {
        place(error instanceof ApiFailure ? error.issues : [], describeFailure(error));
        return false;
      }
    },
  });
}
