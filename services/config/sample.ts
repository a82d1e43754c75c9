// Renders etc/ulm/ulm.conf.sample from the option table, oslo-config-generator style: every
// option commented out with its help, type, limits and default.
import { type OptionDefinition } from './definitions.js';
import { listOptions, sectionNames } from './load.js';
import { SECTION_HELP } from './options.js';
import { MOVED_POWER_OPTIONS, pluginSections } from './plugin-options.js';

export const SAMPLE_PATH = 'etc/ulm/ulm.conf.sample';

const WIDTH = 79;

const HEADER = [
  'ulm.conf sample: every option of ulm with its help and default, commented out.',
  'Generated from services/config/options.ts and the plugins\' option schemas',
  '(plugins/datasources, plugins/power) by `npm run genconfig`; do not edit.',
  '',
  'Copy it to /etc/ulm/ulm.conf (or pass --config-file, repeatable: later files',
  'win) and uncomment what you change. Comments are whole lines starting with #',
  'or ; so values may contain those characters. "$name" refers to another option,',
  'e.g. $state_path; write "$$" for a literal "$" (in passwords, too).',
];

const TYPE_NAMES: Record<OptionDefinition['type'], string> = {
  string: 'string value', integer: 'integer value', float: 'floating point value', boolean: 'boolean value', list: 'list value', enum: 'string value',
};

export function renderSample(): string {
  const out: string[] = HEADER.map((line) => (line ? `# ${line}` : '#'));
  const pluginHelp = new Map(pluginSections().map((plugin) => [plugin.section, plugin.help]));
  const options = listOptions();
  for (const section of sectionNames()) {
    out.push('', `[${section}]`, '');
    const help = [(SECTION_HELP as Record<string, string | undefined>)[section], pluginHelp.get(section)].filter(Boolean).join(' ');
    out.push(...comment(help));
    for (const { name, definition } of options.filter((option) => option.section === section)) {
      out.push('');
      out.push(...comment(`${definition.help} (${TYPE_NAMES[definition.type]})`));
      if (definition.type === 'enum') {
        out.push('# Possible values:');
        const choiceHelp = (definition.choiceHelp ?? {}) as Record<string, string | undefined>;
        for (const choice of definition.choices) out.push(...comment(choiceHelp[choice] ? `${choice} - ${choiceHelp[choice]}` : choice));
      }
      if ((definition.type === 'integer' || definition.type === 'float') && definition.min !== undefined) out.push(`# Minimum value: ${definition.min}`);
      if ((definition.type === 'integer' || definition.type === 'float') && definition.max !== undefined) out.push(`# Maximum value: ${definition.max}`);
      for (const old of definition.deprecatedNames ?? []) out.push(`# Deprecated group/name - [${section}]/${old}`);
      for (const [old, moved] of Object.entries(MOVED_POWER_OPTIONS)) {
        if (moved.section === section && moved.option === name) out.push(`# Deprecated group/name - [power]/${old}${moved.invert ? ' (opposite value)' : ''}`);
      }
      const shown = definition.optional ? definition.sampleDefault ?? '' : sampleValue(definition);
      out.push(shown ? `#${name} = ${shown}` : `#${name} =`);
    }
  }
  return `${out.join('\n')}\n`;
}

function sampleValue(definition: OptionDefinition): string {
  if (definition.sampleDefault !== undefined) return `<${definition.sampleDefault}>`;
  const value: unknown = definition.default;
  if (typeof value === 'function') throw new Error('an option with a computed default needs a sampleDefault');
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Help text as "# " lines wrapped at 79 columns (oslo-style samples: ulm.conf, policy.yaml). */
export function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
