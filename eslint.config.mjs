// Lint: type-aware rules from typescript-eslint, plus the dependency rule of docs/architecture.md,
// enforced with import-x/no-restricted-paths zones. A zone says: files in `target` may not import
// from `from` (except the listed sub-folders).
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const node = (path) => `./node/src/${path}`;

/** The dependency rule. Keep it in sync with docs/architecture.md. */
const zones = [
  // Pure cores import nothing but util (and policy for core).
  { target: node('util'), from: './node/src', except: ['./util'] },
  { target: node('policy'), from: './node/src', except: ['./policy', './util'] },
  { target: node('protocol'), from: './node/src', except: ['./protocol', './util'] },
  { target: node('core'), from: './node/src', except: ['./core', './policy', './util'] },
  { target: node('config'), from: './node/src', except: ['./config', './util', './policy'] },
  { target: node('cluster'), from: './node/src', except: ['./cluster', './util', './protocol'] },
  // Process plumbing that knows no store, ring or model (HTTP and gRPC listeners, proto loading,
  // stop signals), shared by the node's adapters, the composition roots and the scorer service.
  { target: node('platform'), from: './node/src', except: ['./platform', './util'] },
  // Adapters import the cores they adapt, never each other.
  {
    target: node('persistence'),
    from: './node/src',
    except: ['./persistence', './core', './util'],
  },
  { target: node('metrics'), from: './node/src', except: ['./metrics', './core', './util'] },
  {
    target: node('server'),
    from: './node/src',
    except: [
      './server',
      './core',
      './protocol',
      './policy',
      './util',
      './metrics',
      './config',
      './platform',
    ],
  },
  {
    target: node('admin'),
    from: './node/src',
    except: ['./admin', './core', './util', './metrics', './config', './platform'],
  },
  // The gateway is an adapter in front of nodes: it reuses the RESP building blocks and the ring.
  {
    target: node('gateway'),
    from: './node/src',
    except: [
      './gateway',
      './protocol',
      './cluster',
      './server',
      './metrics',
      './admin',
      './config',
      './util',
      './core',
      './platform',
    ],
  },
  // Node-side cluster runtime (ring watching, ownership, migration) adapts the pure ring to a node.
  {
    target: node('cluster-runtime'),
    from: './node/src',
    except: [
      './cluster-runtime',
      './cluster',
      './core',
      './server',
      './protocol',
      './metrics',
      './util',
      './config',
    ],
  },
  // The scorer service's client is an adapter of the learned policy's ports (policy/scorer-port.ts).
  {
    target: node('scorer-client'),
    from: './node/src',
    except: ['./scorer-client', './policy', './util', './config', './platform'],
  },
  // Nothing imports the gateway, the cluster runtime or the scorer client except composition roots.
  {
    target: ['./node/src/core', './node/src/policy', './node/src/protocol', './node/src/cluster'],
    from: ['./node/src/gateway', './node/src/cluster-runtime', './node/src/scorer-client'],
  },
  // The local-cluster orchestrator drives processes over HTTP; it shares only the pure ring
  // (including the definition of a finished copy). Nothing in node/src imports it.
  {
    target: node('cluster-local'),
    from: './node/src',
    except: ['./cluster-local', './cluster', './util'],
  },
  {
    target: [
      'util',
      'policy',
      'protocol',
      'core',
      'config',
      'cluster',
      'persistence',
      'metrics',
      'server',
      'admin',
      'gateway',
      'cluster-runtime',
      'platform',
      'main.ts',
      'gateway-main.ts',
    ].map(node),
    from: node('cluster-local'),
  },
  // Nothing imports a composition root.
  { target: './node/src', from: ['./node/src/main.ts', './node/src/gateway-main.ts'] },
  {
    target: ['data', 'sim', 'train', 'export', 'serve', 'learn'].map(
      (dir) => `./ml-scorer/src/${dir}`,
    ),
    from: './ml-scorer/src/cli',
  },
  // The node is the leaf package: it never imports the scorer, the operator or the CLI.
  { target: './node', from: ['./ml-scorer', './operator', './cli', './hack'] },
  // The scorer may use the node's pure policy code, and its service (serve/, cli/) the platform
  // plumbing the node's own ports use.
  {
    target: './ml-scorer',
    from: './node/src',
    except: [
      './policy',
      './util',
      './config',
      './platform',
      './core/store-types.ts',
      './core/status.ts',
    ],
  },
  {
    target: ['data', 'sim', 'train', 'export', 'learn'].map((dir) => `./ml-scorer/src/${dir}`),
    from: node('platform'),
  },
  { target: './ml-scorer', from: ['./operator', './cli', './hack'] },
  // The operator may use the node's configuration schema only.
  { target: './operator', from: './node/src', except: ['./config', './util', './cluster'] },
  { target: './operator', from: ['./ml-scorer', './cli', './hack'] },
];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'coverage/**', '**/*.generated.ts', 'local-cluster/**'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.js', '.mjs'] } },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the environment in a config loader or a composition root only.',
        },
      ],
    },
  },
  {
    // Composition roots, config loaders, CLIs, scripts and tests may read the environment and print.
    files: [
      '**/main.ts',
      '**/*-main.ts',
      '**/config/load.ts',
      '**/cli/**',
      'cli/**',
      'hack/**',
      '**/bench/**',
      '**/*.test.ts',
      '**/test/**',
      'bin/**',
    ],
    rules: { 'no-restricted-syntax': 'off', 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
