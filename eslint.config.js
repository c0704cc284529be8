// ESLint flat config for the web app (browser ES modules, no build) and its node --test unit tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  // terraform/: the CloudFront Function runs in CloudFront's ES5.1 runtime (var, a global handler), not a browser.
  { ignores: ['node_modules/', 'test-artifacts/', '.venv/', 'dist/', 'build/', '.local/', 'terraform/'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['tests/js/**/*.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
  },
  {
    rules: {
      eqeqeq: ['error', 'always'],
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'prefer-const': 'error',
      'no-var': 'error',
      'object-shorthand': 'error',
    },
  },
];
