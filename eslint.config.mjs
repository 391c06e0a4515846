import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-edge/**', '**/.wrangler/**', '**/docs/api/**', '**/node_modules/**', '**/.nx/**', '**/out-tsc/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      // Dependencies point one way: checks ← core ← api ← cli. A wrong-way import fails lint.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['../../../scripts/pack.mjs', '../../../scripts/launch.mjs'],
          // The CLI loads core and api on demand (so `bank --version` stays fast) and imports them statically inside
          // the modules it loads that way: a deliberate pattern, not a mixed-loading mistake.
          checkDynamicDependenciesExceptions: ['@bank/core', '@bank/core/*', '@bank/api', '@bank/api/*', '@bank/checks'],
          depConstraints: [
            { sourceTag: 'layer:checks', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:checks'] },
            { sourceTag: 'layer:api', onlyDependOnLibsWithTags: ['layer:core', 'layer:checks'] },
            { sourceTag: 'layer:cli', onlyDependOnLibsWithTags: ['layer:api', 'layer:core', 'layer:checks'] },
            { sourceTag: 'layer:bench', onlyDependOnLibsWithTags: ['layer:cli', 'layer:api', 'layer:core', 'layer:checks'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Scripts, child processes of tests and tests themselves run on Node.
    files: ['**/*.mjs', '**/test/**', '**/*.test.ts', 'scripts/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Examples and child-process scripts are written as a user would: importing the package by its published name.
    files: ['**/examples/**', '**/test/**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Runtime-neutral code (checks, core, the API app): no Node built-ins, native store or Node adapter, so it runs
    // on the edge too. Only tests and the Node-only entry files are exempt.
    files: ['packages/checks/src/**/*.ts', 'packages/core/src/**/*.ts', 'packages/api/src/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*.test-d.ts',
      '**/src/testing/**',
      'packages/core/src/store/sqlite*.ts',
      'packages/core/src/sqlite.ts',
      'packages/core/src/store/postgres*.ts',
      'packages/core/src/postgres.ts',
      'packages/core/src/open-store.ts',
      'packages/api/src/node.ts',
      'packages/api/src/serve.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                '@bank/core/sqlite',
                '@bank/core/postgres',
                '@bank/core/open-store',
                'postgres',
                '@hono/node-server',
                '@hono/node-server/*',
              ],
              message: 'This code must stay runtime-neutral (Node, browsers, Workers): no Node built-ins here.',
            },
          ],
        },
      ],
    },
  },
);
