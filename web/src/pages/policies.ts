// Policies: the list, create / edit with a form generated from the API's Policy schema (the API
// validates, errors show by their fields), delete with confirmation, and "Preview plan": an
// audit with the policy, leading to the plan it made.

import { auditOutcome } from '../api/audits.js';
import { describeFailure, get, patch, post, remove } from '../api/client.js';
import type { AuditAndPlan, PolicyView } from '../api/records.js';
import { namedSchema } from '../api/schemas.js';
import { element } from '../dom.js';
import { percent, when } from '../format.js';
import { openRecordForm, plainField } from '../forms/record-form.js';
import { SchemaForm } from '../forms/schema-form.js';
import { flash } from '../ui/flash.js';
import { confirmAction } from '../ui/modal.js';
import { DataTable } from '../ui/table.js';
import { link, pageHeader } from '../ui/widgets.js';
import type { Page, PageContext } from './page.js';

/** The few settings worth a glance in the list. */
function limits(policy: PolicyView): string {
  const document = policy.document as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof document.max_host_cpu === 'number') parts.push(`CPU ≤ ${percent(document.max_host_cpu)}`);
  if (typeof document.max_host_memory === 'number') parts.push(`memory ≤ ${percent(document.max_host_memory)}`);
  if (typeof document.max_parallel_migrations === 'number') parts.push(`${document.max_parallel_migrations} at once`);
  if (typeof document.max_migrations === 'number') parts.push(`≤ ${document.max_migrations} migrations`);
  if (Array.isArray(document.drain_hosts)) parts.push(`drain ${document.drain_hosts.join(', ')}`);
  if (document.power_off === true) parts.push('power off');
  return parts.join('; ') || 'defaults';
}

export function policiesPage(context: PageContext): Page {
  const table: DataTable<PolicyView> = new DataTable<PolicyView>({
    caption: 'Policies',
    rowKey: (policy) => policy.id,
    columns: [
      { key: 'name', label: 'Name', value: (policy) => policy.name },
      { key: 'description', label: 'Description', value: (policy) => policy.description, wrap: true },
      { key: 'goal', label: 'Goal', value: (policy) => policy.document.goal },
      { key: 'limits', label: 'Limits', value: limits, sortable: false, wrap: true },
      { key: 'updated', label: 'Updated', value: (policy) => policy.updated_at, render: (policy) => when(policy.updated_at) },
    ],
    actions: [
      { label: 'Preview plan', run: (policy) => previewPlan(policy, context) },
      { label: 'Edit policy', run: (policy) => { void openPolicyForm(policy); } },
      { label: 'Delete policy', danger: true, run: (policy) => { void deletePolicy(policy); } },
    ],
    tableActions: [{ label: '+ Create Policy', primary: true, run: () => { void openPolicyForm(null); } }],
    emptyText: 'No policies yet: create one to preview plans and define windows.',
    sortBy: { key: 'name' },
  });

  const load = () => get<{ policies: PolicyView[] }>('v1/policies').then((answer) => table.setRows(answer.policies), (error: unknown) => table.showError(describeFailure(error)));

  async function openPolicyForm(policy: PolicyView | null): Promise<void> {
    let schema;
    try {
      schema = await namedSchema('Policy');
    } catch (error) {
      flash('error', `Cannot build the policy form: ${describeFailure(error)}`);
      return;
    }
    const name = plainField({ path: 'name', label: 'Name', required: true, value: policy?.name, help: 'Unique name of the policy.' });
    const description = plainField({ path: 'description', label: 'Description', kind: 'textarea', value: policy?.description });
    const form = new SchemaForm({ schema: schema.schema, resolve: schema.resolve, prefix: 'document', initial: policy?.document });
    openRecordForm<PolicyView>({
      title: policy ? `Edit Policy "${policy.name}"` : 'Create Policy',
      submitLabel: policy ? 'Save Changes' : 'Create Policy',
      intro: 'A policy says what plans aim at (the goal) and within which limits. Fields left empty take the API\'s defaults; the API checks every field.',
      fields: [name, description],
      schemaForm: form,
      submit: (document) => {
        const body: Record<string, unknown> = { document };
        const newName = name.control.value.trim();
        // Left empty, the name is missing and the API says it is required; unchanged, it is not sent.
        if (newName && newName !== policy?.name) body.name = newName;
        if (description.control.value.trim() || (policy && description.control.value !== policy.description)) body.description = description.control.value;
        return policy ? patch<PolicyView>(`v1/policies/${encodeURIComponent(policy.id)}`, body) : post<PolicyView>('v1/policies', body);
      },
      onDone: (saved) => {
        flash('success', `${policy ? 'Updated' : 'Created'} policy "${saved.name}".`);
        void load();
      },
    });
  }

  async function deletePolicy(policy: PolicyView): Promise<void> {
    const confirmed = await confirmAction({
      title: 'Confirm Delete Policy',
      message: `You have selected "${policy.name}". Please confirm your selection. Its windows are deleted with it. This action cannot be undone.`,
      confirmLabel: 'Delete Policy',
    });
    if (!confirmed) return;
    try {
      // The confirmation says the windows go with the policy (runs in progress are restored first).
      await remove(`v1/policies/${encodeURIComponent(policy.id)}?with_windows=true`);
      flash('success', `Deleted policy "${policy.name}".`);
    } catch (error) {
      flash('error', `Unable to delete policy "${policy.name}": ${describeFailure(error)}`);
    }
    void load();
  }

  void load();
  return {
    element: element('div', {}, pageHeader('Policies'), table.element),
  };
}

/** Runs an audit with the policy and opens the plan it made (or says why there is none). */
export function previewPlan(policy: PolicyView, context: PageContext): void {
  const working = flash('info', `Running an audit with policy "${policy.name}": collecting the cloud and planning…`);
  post<AuditAndPlan>('v1/audits', { policy: policy.id }).then(auditOutcome).then((outcome) => {
    working.remove();
    if (outcome.action_plan) {
      flash('success', `Audit ${outcome.audit.state.toLowerCase()}: action plan `, link(`#/action_plans/${outcome.action_plan.id}`, outcome.action_plan.id), ` is ${outcome.action_plan.state}.`);
      context.navigate(`/action_plans/${outcome.action_plan.id}`);
    } else {
      flash('warning', `Audit ${outcome.audit.state.toLowerCase()} with policy "${policy.name}" and made no plan: ${outcome.audit.failure_reason ?? 'nothing to do'}`);
    }
  }, (error: unknown) => {
    working.remove();
    flash('error', `The audit with policy "${policy.name}" failed: ${describeFailure(error)}`);
  });
}
