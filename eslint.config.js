import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', 'dist-cli', '.gpu-carry', 'node_modules', 'public', 'test-results', 'playwright-report', '.test-output', 'runs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.{js,mjs}', 'tools/**', 'bench/**', 'src/cli/**'], languageOptions: { globals: globals.node } },
  { files: ['src/**/*.{ts,tsx}'], languageOptions: { globals: globals.browser } },
);
