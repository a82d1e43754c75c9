// Modal forms and confirmation dialogs, on the browser's own <dialog> (focus kept inside,
// Escape closes, focus returns where it was): Horizon's "Create Policy" forms and its
// "Confirm Delete" dialogs for destructive actions.

import { element, uniqueId } from '../dom.js';

export interface ModalOptions {
  title: string;
  /** The form's fields, or a message. */
  body: Node;
  /** The primary button's text ("Create Policy", "Drain Host"). */
  submitLabel: string;
  /** Red button: the action destroys or disrupts something. */
  danger?: boolean;
  /** Runs on submit; the dialog closes when it resolves true and stays open (showing errors) when false. */
  onSubmit: () => Promise<boolean>;
  /** Wider dialog for schema forms. */
  wide?: boolean;
}

export interface OpenModal {
  dialog: HTMLDialogElement;
  close(): void;
  /** Resolves when the dialog closes: true after a successful submit. */
  closed: Promise<boolean>;
}

export function openModal(options: ModalOptions): OpenModal {
  const titleId = uniqueId('modal-title');
  const submit = element('button', { className: `btn ${options.danger ? 'btn-danger' : 'btn-primary'}`, text: options.submitLabel, attributes: { type: 'submit' } });
  const cancel = element('button', { className: 'btn btn-default', text: 'Cancel', attributes: { type: 'button' } });
  const closeButton = element('button', { className: 'close', text: '×', attributes: { type: 'button', 'aria-label': 'Close' } });
  const busy = element('span', { className: 'busy', attributes: { hidden: true, role: 'status' } }, 'Working…');
  const form = element('form', { className: 'modal-form', attributes: { novalidate: true } },
    element('div', { className: 'modal-header' }, element('h2', { id: titleId, text: options.title }), closeButton),
    element('div', { className: 'modal-body' }, options.body),
    element('div', { className: 'modal-footer' }, busy, cancel, submit),
  );
  const dialog = element('dialog', { className: `modal${options.wide ? ' modal-wide' : ''}`, attributes: { 'aria-labelledby': titleId } }, form);
  let succeeded = false;
  let settle: (value: boolean) => void = () => undefined;
  const closed = new Promise<boolean>((resolve) => { settle = resolve; });
  const close = () => dialog.close();
  dialog.addEventListener('close', () => {
    dialog.remove();
    settle(succeeded);
  });
  cancel.addEventListener('click', close);
  closeButton.addEventListener('click', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    busy.hidden = false;
    options.onSubmit().then((done) => {
      if (done) {
        succeeded = true;
        close();
      }
    }, () => undefined).finally(() => {
      submit.disabled = false;
      busy.hidden = true;
    });
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = form.querySelector<HTMLElement>('.modal-body input:not([type=hidden]), .modal-body select, .modal-body textarea');
  (first ?? submit).focus();
  return { dialog, close, closed };
}

export interface ConfirmOptions {
  /** "Confirm Drain Host". */
  title: string;
  message: string;
  /** "Drain Host". */
  confirmLabel: string;
  /** Extra content under the message (a checkbox, a list of what is affected). */
  extra?: Node;
}

/** Horizon's confirmation for destructive actions: resolves true when the user confirms. */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const body = element('div', {}, element('p', { text: options.message }), options.extra ?? null);
  return openModal({ title: options.title, body, submitLabel: options.confirmLabel, danger: true, onSubmit: async () => true }).closed;
}
