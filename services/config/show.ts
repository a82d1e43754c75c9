// `config show`: the effective configuration as ini text, secrets masked, each value with the
// file and line it came from (oslo's log_opt_values, readable by humans and by ulm).
import { listOptions, maskSecret, sectionNames, sourceOf } from './load.js';
import { type Config } from './options.js';

export interface ShowOptions {
  /** Print passwords as they are; only for an operator who asked for it. */
  showSecrets?: boolean;
}

export function formatConfig(config: Config, showOptions: ShowOptions = {}): string {
  const out: string[] = [];
  const options = listOptions();
  for (const section of sectionNames()) {
    if (out.length) out.push('');
    out.push(`[${section}]`);
    const values = (config as unknown as Record<string, Record<string, unknown> | undefined>)[section] ?? {};
    for (const { name, definition } of options.filter((option) => option.section === section)) {
      const value = values[name];
      // A plugin option left unset: the plugin's own default applies.
      if (value === undefined) {
        out.push(`#${name} =`);
        continue;
      }
      let text = Array.isArray(value) ? value.join(',') : String(value);
      if (definition.secret && !showOptions.showSecrets) text = maskSecret(text);
      // "$" would read back as a reference to another option.
      text = text.replace(/\$/g, '$$$$');
      const source = sourceOf(config, section as never, name);
      // On a line of its own: inline comments do not exist in oslo's ini (values may hold ";").
      if (source && source !== 'default') out.push(`# from ${source}`);
      out.push(text ? `${name} = ${text}` : `${name} =`);
    }
  }
  return `${out.join('\n')}\n`;
}
