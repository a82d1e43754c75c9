// The kinds of configuration option (string, integer, float, boolean, list, enum) and the
// builders the option table is written with; the table itself is in options.ts.

/** What a default may depend on: the machine's home, host name and environment variables. */
export interface Environment {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  hostname: string;
}

export type OptionType = 'string' | 'integer' | 'float' | 'boolean' | 'list' | 'enum';

interface Definition<T> {
  type: OptionType;
  /** One or more sentences for the operator; the sample file prints it above the option. */
  help: string;
  /**
   * The default, or how to compute it from the machine (then `sampleDefault` says in words what
   * it is, so the generated sample does not depend on the machine that generated it). String
   * defaults may refer to other options as `$name` (oslo.config interpolation).
   */
  default: T | ((environment: Environment) => T);
  sampleDefault?: string;
  /** Passwords and URLs with credentials: masked in `config show`, never echoed in errors. */
  secret?: boolean;
  /** Old names still accepted in files, oslo's `deprecated_name`; using one is warned about. */
  deprecatedNames?: readonly string[];
  /**
   * No default of ulm's own: when the files do not set it, the option is left out and its plugin
   * applies its default (said in `help`). Options generated from plugin schemas are so.
   */
  optional?: boolean;
  /** Further checks on a parsed value; returns what is expected when the value is not acceptable. */
  check?: (value: T) => string | undefined;
}

export interface StringOption extends Definition<string> { type: 'string' }
export interface IntegerOption extends Definition<number> { type: 'integer'; min?: number; max?: number }
export interface FloatOption extends Definition<number> { type: 'float'; min?: number; max?: number }
export interface BooleanOption extends Definition<boolean> { type: 'boolean' }
export interface ListOption extends Definition<readonly string[]> { type: 'list' }
export interface EnumOption<Choice extends string = string> extends Definition<Choice> {
  type: 'enum';
  choices: readonly Choice[];
  /** What each choice means, printed in the sample like oslo's "Possible values". */
  choiceHelp?: Partial<Record<Choice, string>>;
}

export type OptionDefinition = StringOption | IntegerOption | FloatOption | BooleanOption | ListOption | EnumOption;

/** The TypeScript type of an option's value. */
export type ValueOf<D> =
  D extends EnumOption<infer Choice> ? Choice
    : D extends IntegerOption | FloatOption ? number
      : D extends BooleanOption ? boolean
        : D extends ListOption ? readonly string[]
          : D extends StringOption ? string
            : never;

type Without<D, K extends keyof D> = Omit<D, K | 'type'>;

export const string = (definition: Without<StringOption, 'type'>): StringOption => ({ type: 'string', ...definition });
export const integer = (definition: Without<IntegerOption, 'type'>): IntegerOption => ({ type: 'integer', ...definition });
export const float = (definition: Without<FloatOption, 'type'>): FloatOption => ({ type: 'float', ...definition });
export const boolean = (definition: Without<BooleanOption, 'type'>): BooleanOption => ({ type: 'boolean', ...definition });
export const list = (definition: Without<ListOption, 'type'>): ListOption => ({ type: 'list', ...definition });
export function enumeration<const Choice extends string>(choices: readonly Choice[], definition: Without<EnumOption<Choice>, 'choices'>): EnumOption<Choice> {
  return { type: 'enum', choices, ...definition };
}

/** The noun phrase for what an option accepts, used in errors and in the sample. */
export function expectedValue(definition: OptionDefinition): string {
  switch (definition.type) {
    case 'integer': case 'float': {
      const noun = definition.type === 'integer' ? 'an integer' : 'a number';
      if (definition.min !== undefined && definition.max !== undefined) return `${noun} from ${definition.min} to ${definition.max}`;
      if (definition.min !== undefined) return `${noun} >= ${definition.min}`;
      if (definition.max !== undefined) return `${noun} <= ${definition.max}`;
      return noun;
    }
    case 'boolean': return 'true or false (also yes/no, on/off, 1/0)';
    case 'list': return 'a comma-separated list';
    case 'enum': return `one of ${definition.choices.join(', ')}`;
    case 'string': return 'a string';
  }
}
