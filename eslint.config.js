// ESLint for the TypeScript, Vue and plain-JS sources (`npm run lint`). Layout is Prettier's
// job (.prettierrc.json): eslint-config-prettier, last, turns off every rule that would argue
// with it.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'build/**',
      'native/build/**',
      'test-results/**',
      'playwright-report/**',
      // written by scripts/gen-syscall-table.mjs, whose --check compares it byte for byte
      'src/shared/syscalls/table.generated.ts',
      'test/**/fixtures/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        // each .ts/.vue file is checked with the tsconfig project that includes it
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue']
      }
    }
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // vue-tsc checks the names a component uses (window, setTimeout) against the DOM types
      'no-undef': 'off',
      // this parser types an imported component as any, so `InstanceType<typeof X> | null`
      // looks redundant here while vue-tsc sees the real type
      '@typescript-eslint/no-redundant-type-constituents': 'off'
    }
  },
  {
    // plain JavaScript run by Node (scripts, the CLI launcher, this file): no type information
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node, parserOptions: { projectService: false } }
  },
  {
    rules: {
      // `_name` marks a parameter or binding kept on purpose (a callback's position, a
      // destructured field left out)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `any` comes in from JSON.parse and fetch replies that the code then validates, and a
      // .vue file imported by another is typed `any` to this parser (vue-tsc sees it whole):
      // tsc's strict mode and vue-tsc are the type gate, not these
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // an async method without await keeps a Promise-returning contract (the API backend)
      '@typescript-eslint/require-await': 'off',
      // `text += chunk` on a Buffer is the Node idiom for collecting a child's output
      '@typescript-eslint/restrict-plus-operands': 'off'
    }
  },
  {
    // the browser tests are not in a tsconfig project (Playwright compiles them on its own)
    files: ['test/e2e/**'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false } }
  },
  {
    // the functions this bench hands to page.evaluate() run in Chromium
    files: ['scripts/bench-ui.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } }
  },
  {
    // tests take methods off prototypes to wrap or spy on them
    files: ['test/**'],
    rules: { '@typescript-eslint/unbound-method': 'off' }
  },
  prettier
)
