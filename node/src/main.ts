/**
 * The composition root of `mlcache node`: the only place that reads the environment, creates the
 * clock, the logger and the metrics Registry, opens RocksDB, listens on ports and handles signals.
 *
 * Start-up, in order:
 *   config (flags > MLCACHE_* env > --config file > defaults; every problem listed, exit 2)
 *   -> logger, clock, Registry -> persistence (open) -> store (+ cluster runtime with --ring)
 *   -> RESP server, metrics
 *   -> admin port (so that /healthz answers and /readyz says 503 during a long reload)
 *   -> reload the data directory into the store (migration records to the cluster runtime)
 *   -> with --ring: the ring file is read and applied (migrations resume)
 *   -> RESP and gRPC ports -> ready -> active expiry every 100 ms -> the `listening` line.
 *
 * The listening line (stable; tests and tools parse it to learn the ports picked for port 0):
 * exactly one line on stdout, a JSON object with these keys in this order, printed once every
 * listener is up and the node is ready:
 *
 *   {"event":"listening","node":"pod-0","bind":"0.0.0.0","resp":6379,"grpc":7379,"admin":9379,"pid":1}
 *
 * Nothing else is written to stdout; logs go to stderr as JSON lines.
 *
 * Learned policies (`--policy ml-lru|ml-lfu`) need what the node may not import (the trainer,
 * the ONNX decoder, the scorer client: docs/architecture.md): the `mlcache` CLI passes them as
 * `MlPorts` (cli/node-command.ts). Without ports every plain policy runs and an ML policy is a
 * configuration error. A model file that cannot be used is one too: exit 2, naming the file.
 * With `--scorer grpc://` the scorer service trains; by default (`--scorer-rank local`) the node
 * installs each model the service publishes and scores in process (docs/scorer.md).
 *
 * Shutdown on SIGTERM or SIGINT: /readyz turns 503, the RESP and gRPC ports stop accepting and
 * close their connections, persistence flushes and closes, the admin port closes last, and the
 * process exits 0. A second signal exits at once with status 1. A start-up failure (a port in
 * use, a corrupt data directory) prints `mlcache node: cannot start: ...` and exits 1.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { createAdminApp } from './admin/create-admin-app.ts';
import { Readiness } from './admin/readiness.ts';
import { helpText } from './config/help.ts';
import { loadConfig } from './config/load.ts';
import { shardOf } from './cluster/shard-of.ts';
import { ClusterRuntime } from './cluster-runtime/cluster-runtime.ts';
import { isReservedKey } from './cluster-runtime/reserved-keys.ts';
import { redactConfig } from './config/node-config.ts';
import type { NodeConfig } from './config/node-config.ts';
import { buildMlPolicy, loadStartModel } from './learned-policy-setup.ts';
import type { Closer, LoadedModel, MlInputs, MlPorts } from './learned-policy-setup.ts';
import { mlBaseOf } from './config/schema.ts';
import { createMlMetrics } from './metrics/ml-metrics.ts';
import { createNullPersistence } from './core/persistence.ts';
import type { PersistedEntry } from './core/persistence.ts';
import { Store } from './core/store.ts';
import { createClusterMetrics } from './metrics/cluster-metrics.ts';
import { createNodeMetrics } from './metrics/create-node-metrics.ts';
import { createNodeStats } from './metrics/node-stats.ts';
import { openRocksPersistence } from './persistence/rocks-persistence.ts';
import type { RocksPersistence } from './persistence/rocks-persistence.ts';
import type { EvictionPolicy } from './policy/eviction-policy.ts';
import { listenHttp } from './platform/http-listener.ts';
import {
  configOrExitCode,
  createStderrLogger,
  describeError,
  formatConfigProblems,
  handleStopSignals,
} from './platform/lifecycle.ts';
import { createBackgroundEviction } from './server/background-eviction.ts';
import { TurnEnd } from './server/turn-end.ts';
import { listenGrpc } from './server/grpc/create-grpc-server.ts';
import { createRespServer } from './server/resp/create-resp-server.ts';
import { createSystemClock } from './util/clock.ts';
import { createRandom } from './util/random.ts';
import type { Clock } from './util/clock.ts';
import type { Logger } from './util/logger.ts';

/** Active expiry: how often it runs, how many keys one step may remove, and its time budget. */
const EXPIRY = { intervalMs: 100, keysPerStep: 200, budgetMs: 5 } as const;

/** What the node may be given besides its arguments. */
export interface NodePorts {
  readonly ml?: MlPorts;
}

/** Runs a node until a signal stops it; resolves to the process exit code. */
export async function run(argv: string[], ports: NodePorts = {}): Promise<number> {
  const loaded = configOrExitCode(
    'node',
    loadConfig({
      argv,
      env: process.env,
      hostname: hostname(),
      readFile: (path) => readFileSync(path, 'utf8'),
    }),
    helpText,
  );
  if ('exitCode' in loaded) return loaded.exitCode;
  const config = loaded.config;
  if (mlBaseOf(config.policy) !== null && ports.ml === undefined) {
    process.stderr.write(
      `${formatConfigProblems('node', [
        `--policy: '${config.policy}' needs the learned-policy ports (trainer, model decoder, ` +
          "scorer client); start it with 'mlcache node', which provides them",
      ])}\n`,
    );
    return 2;
  }
  let model: LoadedModel | undefined;
  if (ports.ml !== undefined && mlBaseOf(config.policy) !== null) {
    const loadedModel = await loadStartModel(config, ports.ml);
    if (typeof loadedModel === 'string') {
      process.stderr.write(`${formatConfigProblems('node', [loadedModel])}\n`);
      return 2;
    }
    model = loadedModel;
  }
  const clock = createSystemClock();
  const logger = createStderrLogger(config.logLevel, clock).child({ node: config.nodeName });
  const stop = handleStopSignals(logger);

  const closers: Closer[] = [];
  try {
    const ml =
      ports.ml === undefined ? undefined : { ports: ports.ml, ...(model ? { model } : {}) };
    const node = await start(config, clock, logger, closers, stop.signal, ml);
    if (node !== undefined) {
      process.stdout.write(`${JSON.stringify(node.listening)}\n`);
      const { event: _event, ...ports } = node.listening;
      logger.info('ready', ports);
      // A signal may have come while the last listener was starting: stopped() sees it.
      await stop.stopped();
      node.readiness.markStopping();
    }
    return await closeAll(closers, logger);
  } catch (error) {
    logger.error('start-up failed', { error });
    process.stderr.write(`mlcache node: cannot start: ${describeError(error)}\n`);
    await closeAll(closers, logger);
    return 1;
  } finally {
    stop.dispose();
  }
}

interface RunningNode {
  readonly readiness: Readiness;
  readonly listening: Readonly<Record<string, string | number>>;
}

/**
 * Builds and starts everything, registering a closer for each piece as soon as it exists, so that
 * a failure half-way (or a signal during a long reload) undoes exactly what was done. Resolves to
 * undefined when a signal arrived during start-up.
 */
async function start(
  config: NodeConfig,
  clock: Clock,
  logger: Logger,
  closers: Closer[],
  stopped: AbortSignal,
  ml?: MlInputs,
): Promise<RunningNode | undefined> {
  const startedAt = clock.monotonic();
  const registry = new Registry();
  const readiness = new Readiness();

  // Open before anything listens: a locked or corrupt data directory is a start-up failure.
  let persistence: RocksPersistence | undefined;
  if (config.dataDir !== null && config.durability !== 'none') {
    const opened = await step(
      'data directory',
      openRocksPersistence({
        dir: config.dataDir,
        durability: config.durability,
        clock,
        logger: logger.child({ component: 'persistence' }),
      }),
    );
    closers.push({ name: 'persistence', close: () => opened.close() });
    persistence = opened;
  }

  // The cluster runtime needs the store and the store its removal hook: the hook is bound late.
  let cluster: ClusterRuntime | undefined;
  const learned =
    ml !== undefined && mlBaseOf(config.policy) !== null
      ? buildMlPolicy(config, ml, clock, logger, closers)
      : undefined;
  const policy: EvictionPolicy | string = learned?.policy ?? config.policy;
  // The store asks for eviction ahead of need; the scheduler that runs it needs the store.
  let evictionDue = (): void => {};
  const store = new Store({
    clock,
    policy,
    maxMemory: config.maxMemory,
    evictionHeadroom: config.evictionHeadroom,
    onEvictionDue: () => evictionDue(),
    maxValueSize: config.maxValueSize,
    maxKeySize: config.maxKeySize,
    ...(persistence ? { persistence } : {}),
    ...(config.ring === null ? {} : { onRemove: (key, reason) => cluster?.onRemove(key, reason) }),
  });
  // Replies of a turn are written at its end, then eviction ahead of need runs (turn-end.ts).
  const turnEnd = new TurnEnd();
  const background = createBackgroundEviction({
    store,
    schedule: (run) => turnEnd.later(run),
    onError: (error) => logger.error('eviction ahead of need failed', { error }),
  });
  evictionDue = () => background.due();
  closers.push({ name: 'background eviction', close: () => background.close() });
  if (config.ring !== null) {
    const runtime = new ClusterRuntime({
      nodeId: config.nodeId,
      store,
      persistence: persistence ?? createNullPersistence(),
      clock,
      logger: logger.child({ component: 'cluster' }),
      password: config.requirepass ?? undefined,
      migrationRate: config.migrationRate,
      ringFile: config.ring,
    });
    // Closed before persistence (it writes through it), after the ports (closed earlier).
    closers.push({ name: 'cluster', close: () => runtime.close() });
    cluster = runtime;
  }

  const resp = createRespServer({
    store,
    clock,
    random: createRandom(clock.now()),
    requirePass: config.requirepass ?? undefined,
    nodeName: config.nodeName,
    policyName: config.policy,
    maxValueSize: config.maxValueSize,
    durability: config.durability,
    logger: logger.child({ component: 'resp' }),
    router: cluster?.router,
    turnEnd,
    scriptTimeLimitMs: config.scriptTimeLimitMs,
    notifyKeyspaceEvents: config.notifyKeyspaceEvents,
  });
  createNodeMetrics({
    registry,
    node: config.nodeName,
    policy: config.policy,
    store,
    commands: resp.stats,
    pubsub: resp.pubsub,
    tracking: resp.tracking,
    ...(persistence ? { persistence } : {}),
  });
  if (learned !== undefined) {
    createMlMetrics({
      registry,
      node: config.nodeName,
      policy: config.policy,
      telemetry: learned.telemetry,
    });
  }
  if (cluster !== undefined) {
    createClusterMetrics({
      registry,
      node: config.nodeName,
      policy: config.policy,
      source: cluster,
    });
  }
  const stats = createNodeStats({
    node: config.nodeName,
    durability: config.durability,
    store,
    commands: resp.stats,
    ...(persistence ? { persistence } : {}),
    state: () => readiness.state,
    uptimeMs: () => clock.monotonic() - startedAt,
    ...(learned === undefined ? {} : { ml: () => learned.telemetry.snapshot() }),
  });

  const admin = await step(
    'admin port',
    listenHttp(
      createAdminApp({
        metricsRegistry: registry,
        readiness,
        stats,
        config: redactConfig(config),
        logger,
        cluster,
      }),
      config.bind,
      config.adminPort,
    ),
  );
  // Closed last, after persistence has flushed, so that probes and scrapes see the shutdown.
  closers.unshift({ name: 'admin', close: () => admin.close() });

  if (persistence) {
    // Keys to remove from disk after the reload: migration records of an earlier run in a cluster
    // on a node now standalone (not cache keys), and entries restore() refused because they no
    // longer fit (a smaller --maxmemory or --max-value-size). Dropping the latter is what an
    // eviction would do; keeping them would make disk and memory disagree on every later start.
    const stale: string[] = [];
    let skipped = 0;
    const visit = (entry: PersistedEntry): void => {
      if (cluster !== undefined ? cluster.reloaded(entry) : isReservedKey(entry.key)) {
        if (cluster === undefined) stale.push(entry.key);
        return;
      }
      if (!store.restore(entry.key, entry.value, entry.expireAt)) {
        skipped++;
        stale.push(entry.key);
      }
    };
    await step('reload', persistence.load(visit));
    if (skipped > 0) logger.warn('reload dropped entries that no longer fit', { skipped });
    for (const key of stale) persistence.delete(key);
  }
  if (cluster !== undefined) await step('ring', cluster.start());
  if (stopped.aborted) return undefined;

  const respAddress = await step('resp port', resp.listen(config.port, config.bind));
  closers.push({ name: 'resp', close: () => resp.close() });

  const grpc = await step(
    'grpc port',
    listenGrpc(
      {
        store,
        clock,
        stats,
        requirepass: config.requirepass,
        maxMessageBytes: config.maxValueSize + config.maxKeySize + 64 * 1024,
        logger: logger.child({ component: 'grpc' }),
        cluster: cluster?.grpc,
        keyShard: (key, count) => shardOf(key, count),
      },
      config.bind,
      config.grpcPort,
    ),
  );
  closers.push({ name: 'grpc', close: () => grpc.close() });

  const expiry = startActiveExpiry(store, clock);
  closers.push({ name: 'expiry', close: () => clearInterval(expiry) });

  readiness.markReady();
  return {
    readiness,
    listening: {
      event: 'listening',
      node: config.nodeName,
      bind: config.bind,
      resp: respAddress.port,
      grpc: grpc.port,
      admin: admin.port,
      pid: process.pid,
    },
  };
}

/**
 * Removes expired keys in the background, as Redis's active expiry does, so that keys nobody
 * reads again do not hold memory, and moves the store's clock of last accesses. Each tick removes due keys in steps until none are left or the
 * time budget is spent, so a burst of expiries cannot stall the event loop.
 */
function startActiveExpiry(store: Store, clock: Clock): NodeJS.Timeout {
  const timer = setInterval(() => {
    const now = clock.monotonic();
    // The clock of last accesses (OBJECT IDLETIME) moves here, as Redis's LRU clock moves in its
    // cron: each access then stamps a second without reading the clock.
    store.tick(now);
    const deadline = now + EXPIRY.budgetMs;
    while (
      store.expireStep(EXPIRY.keysPerStep) === EXPIRY.keysPerStep &&
      clock.monotonic() < deadline
    );
  }, EXPIRY.intervalMs);
  timer.unref();
  return timer;
}

/** Closes in reverse order of creation; a failure is logged and the rest still close. */
async function closeAll(closers: Closer[], logger: Logger): Promise<number> {
  let code = 0;
  for (const closer of closers.splice(0).reverse()) {
    try {
      await closer.close();
    } catch (error) {
      logger.error('close failed', { what: closer.name, error });
      code = 1;
    }
  }
  return code;
}

/** Names the start-up step in its error, so that "EADDRINUSE" says which port. */
async function step<T>(what: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new Error(`${what}: ${describeError(error)}`, { cause: error });
  }
}
