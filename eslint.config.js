import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['node_modules/', 'portal/dist/', 'reports/', '.optiinfra/', '.tmp/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use a seeded generator (pure-rand) so runs are reproducible' }],
    },
  },
  {
    // The simulator is one cloud behind the same doors as a real one: nothing outside its folder
    // reads it except the one place that wires it (server/cloud/index.ts) and test code that drives it.
    files: ['server/**/*.ts', 'api/**/*.ts', 'bin/**', 'scripts/**/*.ts', 'portal/**/*.{ts,tsx}'],
    ignores: ['server/cloud/simulator/**', 'server/cloud/index.ts', 'server/deps.ts', '**/*.test.ts', 'server/test/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/cloud/simulator/*', '**/cloud/simulator/**'], message: 'the simulator is reached only through the CloudProvider seam (server/cloud/index.ts wires it)' },
        { group: ['**/cloud/index.ts'], importNames: ['Simulator'], message: 'use the CloudProvider seam (deps.cloud), not the simulator' },
      ] }],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**', 'server/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
