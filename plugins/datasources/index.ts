// The datasource registry: one explicit line per datasource plugin, and the lookup that
// validates a plugin's options against its schema before creating it.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { Datasource, DatasourcePlugin } from '../../core/datasource.js';
import { check, ValidationError } from '../../core/validation.js';
import type { DatasourceContext } from './context.js';
import { gnocchiDatasource } from './gnocchi/index.js';
import { prometheusDatasource } from './prometheus/index.js';

export type { DatasourceContext } from './context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each plugin has its own options type
type AnyDatasourcePlugin = DatasourcePlugin<any, DatasourceContext>;

export const DATASOURCES: readonly AnyDatasourcePlugin[] = [
  gnocchiDatasource,
  prometheusDatasource,
];

export const DEFAULT_DATASOURCE = 'gnocchi';

export function datasourcePlugin(name: string): AnyDatasourcePlugin {
  const plugin = DATASOURCES.find((candidate) => candidate.name === name);
  if (!plugin) {
    throw new ValidationError('unknown datasource', [{ path: 'datasource', message: `"${name}" is not a datasource; the datasources are: ${DATASOURCES.map((known) => known.name).join(', ')}` }]);
  }
  return plugin;
}

/**
 * Creates a datasource from its name and options. Options given as text (command line, ini)
 * are converted to the schema's types first ("200" -> 200, "false" -> false).
 */
export function createDatasource(name: string, options: Record<string, unknown>, context: DatasourceContext): Datasource {
  const plugin = datasourcePlugin(name);
  const converted = Value.Convert(plugin.optionsSchema, options);
  const valid = check<Record<string, unknown>>(TypeCompiler.Compile(plugin.optionsSchema), converted, `invalid options of datasource ${name}`, `datasource.${name}`);
  return plugin.create(valid, context);
}
