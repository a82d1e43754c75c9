// `config show`: the effective configuration as ini text, secrets masked, each value with the
// file and line it came from (oslo's log_opt_values, readable by humans and by ulm).
import { type OptionDefinition } from './definitions.js';
import { maskSecret, sourceOf } from './load.js';
import { OPTIONS, type Config, type SectionName } from './options.js';

export interface ShowOptions {
  /** Print passwords as they are; only for an operator who asked for it. */
  showSecrets?: boolean;
}

export function formatConfig(config: Config, options: ShowOptions = {}): string {
  const out: string[] = [];
  for (const section of Object.keys(OPTIONS) as SectionName[]) {
    if (out.length) out.push('');
    out.push(`[${section}]`);
    const values = config[section] as Record<string, unknown>;
    for (const [name, definition] of Object.entries(OPTIONS[section]) as [string, OptionDefinition][]) {
      const value = values[name];
      let text = Array.isArray(value) ? value.join(',') : String(value);
      if (definition.secret && !options.showSecrets) text = maskSecret(text);
      // "$" would read back as a reference to another option.
      text = text.replace(/\$/g, '$$$$');
      const source = sourceOf(config, section, name);
      // On a line of its own: inline comments do not exist in oslo's ini (values may hold ";").
      if (source && source !== 'default') out.push(`# from ${source}`);
      out.push(text ? `${name} = ${text}` : `${name} =`);
    }
  }
  return `${out.join('\n')}\n`;
}
