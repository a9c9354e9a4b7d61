import type { ArgReader, FlagSpec } from './cli-args.ts';
import { clusterDown } from './cluster-down.ts';
import { clusterMove } from './cluster-move.ts';
import { clusterRebalance } from './cluster-rebalance.ts';
import { clusterScale } from './cluster-scale.ts';
import { DURABILITY_MODES } from './cluster-state.ts';
import { clusterStatus, formatStatus } from './cluster-status.ts';
import { clusterUp } from './cluster-up.ts';
import type { ClusterContext } from './context.ts';
import type { Outcome } from './outcome.ts';

/**
 * The actions of `mlcache cluster`: their flags, and how each turns its arguments into a call of
 * the library (cluster-*.ts). main.ts parses, builds the context, runs, and maps the outcome.
 */

/** What an action needs once its arguments are read: a context, and where results go. */
export interface ActionIo {
  readonly context: (timeoutMs: number) => ClusterContext;
  /** The action's result for stdout (status tables, JSON). */
  readonly print: (text: string) => void;
}

export interface ClusterAction {
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Reads the arguments (recording problems in the reader) and returns the work to do. */
  readonly prepare: (args: ArgReader) => (io: ActionIo) => Promise<Outcome<unknown>>;
}

export const DEFAULT_DIR = './local-cluster';

const DIR: FlagSpec = {
  name: 'dir',
  valueName: 'DIR',
  doc: 'The cluster directory: state, ring, logs, data',
  defaultText: DEFAULT_DIR,
};
const TIMEOUT: FlagSpec = {
  name: 'timeout',
  valueName: 'DURATION',
  doc: 'Give up (exit 1) when processes or copies take longer (90s, 500ms, 2m)',
  defaultText: '120s',
};

const timeout = (args: ArgReader) => args.duration('timeout', 120_000);

export const CLUSTER_ACTIONS: Readonly<Record<string, ClusterAction>> = {
  up: {
    usage: 'up [--nodes N] [--gateway-port P] [options]',
    summary:
      'Start N nodes and a gateway on this machine, detached, on one ring file; return when ready.',
    flags: [
      DIR,
      { name: 'nodes', valueName: 'N', doc: 'Number of nodes', defaultText: '3' },
      {
        name: 'gateway-port',
        valueName: 'P',
        doc: 'The RESP port of the gateway (0: any)',
        defaultText: '6379',
      },
      {
        name: 'bind',
        valueName: 'ADDR',
        doc: 'Address of every listener',
        defaultText: '127.0.0.1',
      },
      { name: 'policy', valueName: 'NAME', doc: 'Eviction policy of the nodes (node default)' },
      { name: 'maxmemory', valueName: 'SIZE', doc: 'Memory budget of each node (node default)' },
      { name: 'durability', valueName: 'MODE', doc: 'async, sync or none', defaultText: 'async' },
      {
        name: 'near-cache-ttl',
        valueName: 'MS',
        doc: "The gateway's near cache TTL (gateway default)",
      },
      {
        name: 'near-cache-invalidation',
        valueName: 'on|off',
        doc: "Whether the nodes' changed keys drop the gateway's near-cache entries at once",
        defaultText: 'off',
      },
      {
        name: 'log-level',
        valueName: 'LEVEL',
        doc: 'Log level of every process',
        defaultText: 'info',
      },
      TIMEOUT,
    ],
    prepare: (args) => {
      const nodes = args.integer('nodes', 3, 1, 64);
      const gatewayPort = args.integer('gateway-port', 6379, 0, 65535);
      const settings = {
        bind: args.string('bind', '127.0.0.1'),
        policy: args.optionalString('policy'),
        maxmemory: args.optionalString('maxmemory'),
        durability: args.oneOf('durability', 'async', DURABILITY_MODES),
        logLevel: args.string('log-level', 'info'),
        nearCacheTtlMs: args.optionalInteger('near-cache-ttl', 0, 3_600_000),
        nearCacheInvalidation: args.oneOf('near-cache-invalidation', 'off', ['on', 'off']) === 'on',
      };
      const ms = timeout(args);
      args.positionals([]);
      return (io) => clusterUp(io.context(ms), { nodes, gatewayPort, settings });
    },
  },
  scale: {
    usage: 'scale N [--dir DIR]',
    summary:
      'Grow or shrink to N nodes: new nodes start first; leaving nodes drain, then stop. Waits until every shard is copied.',
    flags: [DIR, TIMEOUT],
    prepare: (args) => {
      const [text] = args.positionals(['N']);
      const count = args.positionalInteger('N', text!, 1, 64);
      const ms = timeout(args);
      return (io) => clusterScale(io.context(ms), count);
    },
  },
  move: {
    usage: 'move SHARD NODE [--dir DIR]',
    summary:
      'Pin SHARD to NODE (or send it home when NODE is its hashed owner), and wait for the copy.',
    flags: [DIR, TIMEOUT],
    prepare: (args) => {
      const [shardText, node] = args.positionals(['SHARD', 'NODE']);
      const shard = args.positionalInteger('SHARD', shardText!, 0, 65535);
      const ms = timeout(args);
      return (io) => clusterMove(io.context(ms), shard, node!);
    },
  },
  rebalance: {
    usage: 'rebalance [--rounds N] [--dir DIR]',
    summary: "Rounds of the hot-shard rebalancer on the nodes' measured load (/v1/load).",
    flags: [
      DIR,
      {
        name: 'rounds',
        valueName: 'N',
        doc: 'Rounds (each waits for its copies)',
        defaultText: '1',
      },
      {
        name: 'max-moves',
        valueName: 'N',
        doc: 'Shards moved per round at most',
        defaultText: '8',
      },
      {
        name: 'target-ratio',
        valueName: 'R',
        doc: 'Stop at busiest/mean <= R',
        defaultText: '1.1',
      },
      {
        name: 'cooldown',
        valueName: 'DURATION',
        doc: 'Leave shards and nodes moved this recently alone',
        defaultText: '120s',
      },
      TIMEOUT,
    ],
    prepare: (args) => {
      const rounds = args.integer('rounds', 1, 1, 100);
      const limits = {
        maxMovesPerRound: args.integer('max-moves', 8, 1, 4096),
        targetRatio: args.number('target-ratio', 1.1, 1),
        cooldownMs: args.duration('cooldown', 120_000),
      };
      const ms = timeout(args);
      args.positionals([]);
      return (io) => clusterRebalance(io.context(ms), { rounds, limits });
    },
  },
  status: {
    usage: 'status [--dir DIR] [--json]',
    summary: 'Nodes, gateway, ring epoch, shards per node and copies in flight.',
    flags: [DIR, { name: 'json', switch: true, doc: 'Print JSON instead of a table' }],
    prepare: (args) => {
      const json = args.has('json');
      args.positionals([]);
      return async (io) => {
        const status = await clusterStatus(io.context(10_000));
        if (status.ok) {
          io.print(json ? JSON.stringify(status.value, null, 2) : formatStatus(status.value));
        }
        return status;
      };
    },
  },
  down: {
    usage: 'down [--dir DIR]',
    summary: 'Stop every process of the cluster (SIGTERM, then SIGKILL); keep data and logs.',
    flags: [
      DIR,
      {
        name: 'timeout',
        valueName: 'DURATION',
        doc: 'Time given to exit before SIGKILL',
        defaultText: '10s',
      },
    ],
    prepare: (args) => {
      const grace = args.duration('timeout', 10_000);
      args.positionals([]);
      return (io) => clusterDown(io.context(grace), grace);
    },
  },
};
