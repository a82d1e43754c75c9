// The Gnocchi datasource plugin: name, options schema and factory.
import type { DatasourcePlugin } from '../../../core/datasource.js';
import { openGnocchi } from '../../../openstack/gnocchi.js';
import type { DatasourceContext } from '../context.js';
import { GnocchiDatasource } from './datasource.js';
import { GnocchiOptionsSchema, resolveGnocchiOptions, type GnocchiOptions } from './options.js';

export const gnocchiDatasource: DatasourcePlugin<GnocchiOptions, DatasourceContext> = {
  name: 'gnocchi',
  description: 'Gnocchi (Ceilometer\'s store): server cpu / cpu_util and memory.usage, host compute.node.cpu.percent',
  optionsSchema: GnocchiOptionsSchema,
  create: (options, context) => new GnocchiDatasource(openGnocchi(context.session), resolveGnocchiOptions(options)),
};
