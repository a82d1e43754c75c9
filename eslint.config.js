// Lint configuration: typescript-eslint's recommended rules, plus the layering rules of
// ARCHITECTURE.md: core/ is pure (no I/O, no clock) and each folder imports only the folders
// below it (core <- openstack <- plugins <- services <- cli; the panel, web/src, only core).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/static/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os'], message: 'core/ is pure: no I/O.' },
        { group: ['../openstack/*', '../services/*', '../plugins/*', '../cli/*', '../../openstack/*', '../../services/*', '../../plugins/*', '../../cli/*'], message: 'core/ depends on nothing outside core/.' },
      ] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core/ reads no globals.' }, { name: 'performance', message: 'core/ reads no clock.' }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'core/ is deterministic.' },
        { object: 'Date', property: 'now', message: 'core/ reads no clock: take "now" as an argument.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core/ reads no clock: take "now" as an argument.' }],
    },
  },
  layer('openstack', ['plugins', 'services', 'cli', 'web'], 'openstack/ (the cloud clients) depends only on core/.'),
  layer('plugins', ['services', 'cli', 'web'], 'plugins/ depend only on core/ and openstack/.'),
  layer('services', ['cli', 'web'], 'services/ never depend on the command line or the panel.'),
  layer('cli', ['web'], 'cli/ talks to the panel\'s API, never to its code.'),
  layer('web/src', ['openstack', 'plugins', 'services', 'cli'], 'the panel shares only core/ with the rest (it runs in a browser).'),
);

/** An import rule for one folder: none of `forbidden` (at any depth of ../). */
function layer(folder, forbidden, message) {
  const patterns = forbidden.flatMap((name) => [1, 2, 3, 4, 5].map((depth) => `${'../'.repeat(depth)}${name}/*`));
  return { files: [`${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] } };
}
