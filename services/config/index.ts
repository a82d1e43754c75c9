// ulm's configuration: the option table, loading from ini files, the command-line options and
// the `config show` dump.
export { OPTIONS, SECTION_HELP, defaultStatePath, type Config, type SectionName, type OptionName } from './options.js';
export { type Environment, type OptionDefinition, type OptionType, expectedValue } from './definitions.js';
export { ConfigError, loadConfig, listOptions, definitionOf, sourceOf, currentEnvironment, maskSecret, type ConfigOverrides, type LoadOptions } from './load.js';
export { addConfigOptions, configFilesFrom, defaultConfigFiles, loadConfigFromOptions, type ConfigCommandOptions } from './command-line.js';
export { formatConfig, type ShowOptions } from './show.js';
export { renderSample, SAMPLE_PATH } from './sample.js';
