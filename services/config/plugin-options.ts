// The configuration sections of the plugins, generated from the schema each plugin declares: a
// datasource's options go in the section named after it ([gnocchi]), a power driver's in
// [power_<driver>]. A plugin added to its registry gets its section, its sample and its checks.
import type { TSchema } from '@sinclair/typebox';
import { DATASOURCES } from '../../plugins/datasources/index.js';
import { POWER_DRIVERS } from '../../plugins/power/index.js';
import { boolean, enumeration, float, integer, list, string, type OptionDefinition } from './definitions.js';

export interface PluginSection {
  section: string;
  /** What the sample file says above the section. */
  help: string;
  options: Record<string, OptionDefinition>;
}

/** Names of properties that hold credentials: masked in `config show` and in errors. */
const SECRET_NAME = /password|secret|token/;

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  minLength?: number;
  pattern?: string;
  /** What a string must look like, in words (the power drivers' `expected` keyword). */
  expected?: string;
  maximum?: number;
  exclusiveMinimum?: number;
  anyOf?: JsonSchema[];
  const?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
}

/**
 * One schema property as an ini option, or nothing when ini cannot hold it (objects, such as the
 * power drivers' per-host `hosts` settings, which come from elsewhere).
 */
export function optionFromSchema(name: string, property: JsonSchema): OptionDefinition | undefined {
  const help = property.description ? `${property.description}.` : `${name}.`;
  const common = { help, optional: property.default === undefined, secret: SECRET_NAME.test(name), ...(property.default === undefined ? pluginDefault(property.description) : {}) };
  const limits = {
    ...(property.minimum !== undefined ? { min: property.minimum } : property.exclusiveMinimum !== undefined && property.type === 'integer' ? { min: property.exclusiveMinimum + 1 } : {}),
    ...(property.maximum !== undefined ? { max: property.maximum } : {}),
  };
  if (property.anyOf?.every((choice) => typeof choice.const === 'string')) {
    const choices = property.anyOf.map((choice) => choice.const as string);
    return enumeration(choices, { ...common, default: (property.default as string | undefined) ?? choices[0] });
  }
  switch (property.type) {
    case 'string': return string({ ...common, check: stringCheck(property), default: (property.default as string | undefined) ?? '' });
    case 'integer': return integer({ ...common, ...limits, default: (property.default as number | undefined) ?? 0 });
    case 'number': return float({ ...common, ...limits, default: (property.default as number | undefined) ?? 0 });
    case 'boolean': return boolean({ ...common, default: (property.default as boolean | undefined) ?? false });
    case 'array': return property.items?.type === 'string' ? list({ ...common, default: (property.default as string[] | undefined) ?? [] }) : undefined;
    default: return undefined;
  }
}

/**
 * The plugin's default as its help names it, `(default 30)` or `(default "instance")`, shown in
 * the sample; the plugin applies it, ulm only prints it.
 */
function pluginDefault(description: string | undefined): { sampleDefault?: string } {
  const match = /\(default (?:"([^"]*)"|([\w.:{}/-]+))[,)]/.exec(description ?? '');
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? {} : { sampleDefault: value };
}

/** The schema's pattern and length, checked when the file is read so the error names file and line. */
function stringCheck(property: JsonSchema): ((value: string) => string | undefined) | undefined {
  if (property.pattern === undefined && property.minLength === undefined) return undefined;
  const pattern = property.pattern === undefined ? undefined : new RegExp(property.pattern, 'u');
  return (value) => {
    const fits = value.length >= (property.minLength ?? 0) && (!pattern || pattern.test(value));
    if (fits) return undefined;
    return property.expected ?? (pattern ? `a value matching ${String(pattern)}` : `at least ${property.minLength} characters`);
  };
}

function optionsFromSchema(schema: TSchema): Record<string, OptionDefinition> {
  const options: Record<string, OptionDefinition> = {};
  for (const [name, property] of Object.entries((schema as JsonSchema).properties ?? {})) {
    const definition = optionFromSchema(name, property);
    if (definition) options[name] = definition;
  }
  return options;
}

/** Every plugin's section, datasources first, in registry order. */
export function pluginSections(): PluginSection[] {
  return [
    ...DATASOURCES.map((plugin) => ({
      section: plugin.name,
      help: `The ${plugin.name} datasource (used when [DEFAULT] datasource = ${plugin.name}): ${plugin.description}. Options left unset take the default their help names.`,
      options: optionsFromSchema(plugin.optionsSchema),
    })),
    ...POWER_DRIVERS
      .map((plugin) => ({
        section: `power_${plugin.name}`,
        help: `The ${plugin.name} power driver (used when [power] driver = ${plugin.name}). Options left unset take the default their help names; per-host settings are not set here.`,
        options: optionsFromSchema(plugin.optionsSchema),
      }))
      .filter((section) => Object.keys(section.options).length > 0),
  ];
}

/**
 * Names the power options had in [power] before each driver had its section: still read, with a
 * warning naming the new place. `invert` for a boolean whose meaning was turned around.
 */
export const MOVED_POWER_OPTIONS: Readonly<Record<string, { section: string; option: string; invert?: boolean }>> = {
  ipmi_address_template: { section: 'power_ipmi', option: 'address_template' },
  ipmi_username: { section: 'power_ipmi', option: 'username' },
  ipmi_password: { section: 'power_ipmi', option: 'password' },
  ipmi_interface: { section: 'power_ipmi', option: 'interface' },
  redfish_url_template: { section: 'power_redfish', option: 'url_template' },
  redfish_username: { section: 'power_redfish', option: 'username' },
  redfish_password: { section: 'power_redfish', option: 'password' },
  redfish_cafile: { section: 'power_redfish', option: 'ca_file' },
  redfish_insecure: { section: 'power_redfish', option: 'verify_tls', invert: true },
  ironic_node_template: { section: 'power_ironic', option: 'node_template' },
};
