// Power-saving windows: the list with each one's next opening, create (a form generated from the
// API's PowerSavingWindow schema, for a chosen policy) and delete with confirmation.

import { describeFailure, get, post, remove } from '../api/client.js';
import type { PolicyView, WindowView } from '../api/records.js';
import { namedSchema } from '../api/schemas.js';
import { element } from '../dom.js';
import { when } from '../format.js';
import { openRecordForm, plainField } from '../forms/record-form.js';
import { SchemaForm } from '../forms/schema-form.js';
import { flash } from '../ui/flash.js';
import { confirmAction } from '../ui/modal.js';
import { DataTable } from '../ui/table.js';
import { link, pageHeader } from '../ui/widgets.js';
import type { Page } from './page.js';

function closes(window: WindowView): string {
  if (window.window.closes) return window.window.closes;
  return window.window.duration_minutes !== undefined ? `after ${window.window.duration_minutes} min` : '–';
}

export function windowsPage(): Page {
  const table = new DataTable<WindowView>({
    caption: 'Power-saving windows',
    rowKey: (window) => window.id,
    columns: [
      { key: 'name', label: 'Name', value: (window) => window.window.name },
      { key: 'policy', label: 'Policy', value: (window) => window.policy_name },
      { key: 'opens', label: 'Opens', value: (window) => window.window.opens },
      { key: 'closes', label: 'Closes', value: closes },
      { key: 'timezone', label: 'Time zone', value: (window) => window.window.timezone ?? 'UTC' },
      { key: 'next', label: 'Next opening', value: (window) => window.next?.opens_at ?? null, render: (window) => window.next ? `${when(window.next.opens_at)}${window.next.open_now ? ' (open now)' : ''}` : '–' },
      { key: 'auto_apply', label: 'Auto apply', value: (window) => (window.window.auto_apply ? 'Yes' : 'No') },
      { key: 'enabled', label: 'Enabled', value: (window) => (window.window.enabled === false ? 'No' : 'Yes') },
    ],
    actions: [{ label: 'Delete window', danger: true, run: (window) => { void deleteWindow(window); } }],
    tableActions: [{ label: '+ Create Window', primary: true, run: () => { void openWindowForm(); } }],
    emptyText: 'No power-saving windows: create one to consolidate off-hours.',
    sortBy: { key: 'next' },
  });

  const load = () => get<{ windows: WindowView[] }>('v1/windows').then((answer) => table.setRows(answer.windows), (error: unknown) => table.showError(describeFailure(error)));

  async function openWindowForm(): Promise<void> {
    let schema;
    let policies: PolicyView[];
    try {
      [schema, policies] = await Promise.all([namedSchema('PowerSavingWindow'), get<{ policies: PolicyView[] }>('v1/policies').then((answer) => answer.policies)]);
    } catch (error) {
      flash('error', `Cannot build the window form: ${describeFailure(error)}`);
      return;
    }
    if (!policies.length) {
      flash('warning', 'A window belongs to a policy: create a policy first.');
      return;
    }
    const policy = plainField({
      path: 'policy', label: 'Policy', kind: 'select', required: true,
      choices: policies.map((entry) => ({ value: entry.id, label: entry.name })),
      help: 'The policy the window applies when it opens.',
    });
    const form = new SchemaForm({ schema: schema.schema, resolve: schema.resolve, prefix: 'window' });
    openRecordForm<WindowView>({
      title: 'Create Window',
      submitLabel: 'Create Window',
      intro: 'When the window opens, ulm consolidates with the policy and puts the emptied hosts into maintenance; before it closes, it brings them back.',
      fields: [policy],
      schemaForm: form,
      submit: (window) => post<WindowView>('v1/windows', { policy: policy.control.value, window }),
      onDone: (saved) => {
        flash('success', `Created window "${saved.window.name}" for policy "${saved.policy_name}".`);
        void load();
      },
    });
  }

  async function deleteWindow(window: WindowView): Promise<void> {
    const confirmed = await confirmAction({
      title: 'Confirm Delete Window',
      message: `You have selected "${window.window.name}" (policy "${window.policy_name}"). Please confirm your selection. This action cannot be undone.`,
      confirmLabel: 'Delete Window',
    });
    if (!confirmed) return;
    try {
      await remove(`v1/windows/${encodeURIComponent(window.id)}`);
      flash('success', `Deleted window "${window.window.name}".`);
    } catch (error) {
      flash('error', `Unable to delete window "${window.window.name}": ${describeFailure(error)}`);
    }
    void load();
  }

  void load();
  return { element: element('div', {}, pageHeader('Windows', link('#/calendar', 'Calendar of windows and maintenances')), table.element) };
}
