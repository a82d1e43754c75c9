// Servers: where each runs, its flavor and use, and its exemptions; set an exemption (never
// move, not during given windows, an anti-affinity tag) with a form generated from the API's
// ExemptionRequest schema, and remove them.

import { describeFailure, get, post, remove } from '../api/client.js';
import type { ExemptionView, ServerView } from '../api/records.js';
import { namedSchema } from '../api/schemas.js';
import { element } from '../dom.js';
import { describeExemption, memory, shortId } from '../format.js';
import { openRecordForm } from '../forms/record-form.js';
import { SchemaForm } from '../forms/schema-form.js';
import { flash } from '../ui/flash.js';
import { confirmAction } from '../ui/modal.js';
import { DataTable } from '../ui/table.js';
import { pageHeader } from '../ui/widgets.js';
import type { Page } from './page.js';

export function serversPage(): Page {
  const table = new DataTable<ServerView>({
    caption: 'Servers',
    rowKey: (server) => server.id,
    pageSize: 50,
    columns: [
      { key: 'name', label: 'Name', value: (server) => server.name },
      { key: 'host', label: 'Host', value: (server) => server.host },
      { key: 'flavor', label: 'Flavor', value: (server) => server.flavor ?? '' },
      { key: 'vcpus', label: 'vCPUs', numeric: true, value: (server) => server.vcpus },
      { key: 'memory', label: 'Memory', numeric: true, value: (server) => server.memory_mb, render: (server) => memory(server.memory_mb) },
      { key: 'cpu_usage', label: 'CPU use (cores)', numeric: true, value: (server) => server.cpu_usage, render: (server) => (Number.isFinite(server.cpu_usage) ? server.cpu_usage.toFixed(2) : '–') },
      { key: 'memory_usage', label: 'Memory use', numeric: true, value: (server) => server.memory_usage_mb, render: (server) => memory(server.memory_usage_mb) },
      { key: 'migratable', label: 'Migratable', value: (server) => (server.migratable ? 'Yes' : 'No') },
      { key: 'group', label: 'Server group', value: (server) => server.server_group ?? '', render: (server) => (server.server_group ? element('span', { text: shortId(server.server_group), attributes: { title: server.server_group } }) : '') },
      { key: 'exemptions', label: 'Exemptions', value: (server) => server.exemptions.map(describeExemption).join('; ') || '–', wrap: true },
    ],
    actions: [
      { label: 'Set exemption', run: (server) => { void setExemption(server); } },
      { label: 'Remove exemptions', danger: true, appliesTo: (server) => server.exemptions.length > 0, run: (server) => { void removeExemptions(server); } },
    ],
    emptyText: 'No servers: ulm has not collected a snapshot of the cloud yet.',
    sortBy: { key: 'name' },
  });

  const load = () => get<{ servers: ServerView[] }>('v1/servers').then((answer) => table.setRows(answer.servers), (error: unknown) => table.showError(describeFailure(error)));

  async function setExemption(server: ServerView): Promise<void> {
    let schema;
    try {
      schema = await namedSchema('ExemptionRequest');
    } catch (error) {
      flash('error', `Cannot build the exemption form: ${describeFailure(error)}`);
      return;
    }
    const form = new SchemaForm({ schema: schema.schema, resolve: schema.resolve, prefix: '' });
    openRecordForm<ExemptionView>({
      title: `Set Exemption for ${server.name}`,
      submitLabel: 'Set Exemption',
      intro: 'never: the server never moves. windows: it does not move during the given windows. anti_affinity_tag: it is kept on a different host from servers with the same tag.',
      fields: [],
      schemaForm: form,
      submit: (request) => post<ExemptionView>(`v1/servers/${encodeURIComponent(server.id)}/exemptions`, request),
      onDone: (exemption) => {
        flash('success', `${server.name}: ${describeExemption(exemption)}.`);
        void load();
      },
    });
  }

  async function removeExemptions(server: ServerView): Promise<void> {
    const confirmed = await confirmAction({
      title: 'Confirm Remove Exemptions',
      message: `You have selected "${server.name}": ${server.exemptions.map(describeExemption).join('; ')}. Without them, plans may move it. Please confirm your selection.`,
      confirmLabel: 'Remove Exemptions',
    });
    if (!confirmed) return;
    try {
      await remove(`v1/servers/${encodeURIComponent(server.id)}/exemptions`);
      flash('success', `Removed the exemptions of ${server.name}.`);
    } catch (error) {
      flash('error', `Unable to remove the exemptions of ${server.name}: ${describeFailure(error)}`);
    }
    void load();
  }

  void load();
  return { element: element('div', {}, pageHeader('Servers'), table.element) };
}
