// ulm's configuration: the option table, loading from ini files, the command-line options and
// the `config show` dump.
export { OPTIONS, SECTION_HELP, defaultStatePath, type Config, type SectionName, type OptionName } from './options.js';
export { type Environment, type OptionDefinition, type OptionType, expectedValue } from './definitions.js';
export { ConfigError, loadConfig, listOptions, sectionNames, definitionOf, sourceOf, currentEnvironment, maskSecret, pluginOptions, warningsOf, type ConfigOverrides, type ConfigWarning, type LoadOptions } from './load.js';
export { LIBRARY_OPTIONS, libraryOf } from './library-options.js';
export { pluginSections, MOVED_POWER_OPTIONS } from './plugin-options.js';
export { addConfigOptions, configFilesFrom, defaultConfigFiles, loadConfigFromOptions, type ConfigCommandOptions } from './command-line.js';
export { formatConfig, type ShowOptions } from './show.js';
export { renderSample, SAMPLE_PATH } from './sample.js';
