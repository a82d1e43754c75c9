// The Prometheus datasource plugin: name, options schema and factory.
import type { DatasourcePlugin } from '../../../core/datasource.js';
import type { DatasourceContext } from '../context.js';
import { PrometheusDatasource } from './datasource.js';
import { PrometheusOptionsSchema, resolvePrometheusOptions, type PrometheusOptions } from './options.js';

export const prometheusDatasource: DatasourcePlugin<PrometheusOptions, DatasourceContext> = {
  name: 'prometheus',
  description: 'Prometheus (kolla-ansible, OpenStack-Helm): server libvirt_domain_* from the libvirt exporter, host node_cpu_seconds_total and node_memory_* from node_exporter',
  optionsSchema: PrometheusOptionsSchema,
  create: (options) => new PrometheusDatasource(resolvePrometheusOptions(options)),
};
