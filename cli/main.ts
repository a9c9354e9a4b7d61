/**
 * The `mlcache` command: a table of subcommands, each loaded only when it runs, so that
 * `mlcache sim` never loads RocksDB and `mlcache node` never loads the trainer.
 */
export interface Subcommand {
  readonly summary: string;
  /** Runs the subcommand with the arguments after its name; resolves to the exit code. */
  readonly load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  node: {
    summary: 'run a cache node (RESP, gRPC and admin ports, RocksDB persistence, learned eviction)',
    load: () => import('./node-command.ts'),
  },
  gateway: {
    summary: 'route Redis clients to the owners of their keys across a cluster of nodes',
    load: () => import('../node/src/gateway-main.ts'),
  },
  cluster: {
    summary: 'run a local cluster of nodes and a gateway: up, scale, move, rebalance, status, down',
    load: () => import('../node/src/cluster-local/main.ts'),
  },
  demo: {
    summary: 'start scorer, a node per policy and a mirroring gateway here; replay, compare, serve',
    load: () => import('../node/src/cluster-local/demo/main.ts'),
  },
  sim: {
    summary: 'replay traces through eviction policies and report miss ratios',
    load: () => import('../ml-scorer/src/cli/simulate.ts'),
  },
  train: {
    summary: 'train an eviction model on a trace (ML+LRU online learning) and write it as ONNX',
    load: () => import('../ml-scorer/src/cli/train.ts'),
  },
  scorer: {
    summary:
      'serve eviction scores to nodes over gRPC, collect their samples, retrain and publish models',
    load: () => import('../ml-scorer/src/cli/scorer.ts'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length));
  const lines = Object.entries(SUBCOMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return [
    'Usage: mlcache <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'mlcache <command> --help' for a command's options.",
  ].join('\n');
}

/** Dispatches argv (without node and script) to a subcommand; resolves to the exit code. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    out.write('mlcache 0.1.0\n');
    return 0;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) {
    err.write(`mlcache: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
