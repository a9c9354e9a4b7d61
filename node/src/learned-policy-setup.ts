/**
 * The learned-policy part of the `mlcache node` composition root (main.ts): the ports the CLI
 * injects (the node may not import ml-scorer: docs/architecture.md), the start model, and the
 * wiring of ml-lru / ml-lfu to a local trainer, to a scorer service's published models, or to a
 * scorer service that ranks remotely.
 */
import { rankedRemotely, scorerTarget } from './config/node-config.ts';
import type { NodeConfig } from './config/node-config.ts';
import { mlBaseOf } from './config/schema.ts';
import { MlTelemetry, pullRefusalOf } from './metrics/ml-metrics.ts';
import type { PullRefusal } from './metrics/ml-metrics.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './policy/features.ts';
import { createMlHybridPolicy } from './policy/ml-hybrid.ts';
import type { MlHybridOptions, MlHybridPolicy } from './policy/ml-hybrid.ts';
import type { TrainerPort, TrainingJob } from './policy/scorer-port.ts';
import type { TreeEnsemble } from './policy/tree-model.ts';
import type {
  ModelNotice,
  ScorerClient,
  ScorerClientOptions,
} from './scorer-client/scorer-client.ts';
import { describeError } from './platform/lifecycle.ts';
import type { Clock } from './util/clock.ts';
import type { Logger } from './util/logger.ts';

/** Something to undo at shutdown, in reverse order of creation. */
export interface Closer {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * An open circuit breaker retries the scorer after this long (ms on the node's clock): the
 * policy's default is sized for the simulator's logical clock.
 */
const BREAKER_COOLDOWN_MS = 5_000;

/** A model decoded from a file or from bytes, to score in process. */
export interface LoadedModel {
  readonly model: TreeEnsemble;
  /** The file it came from (for bytes: the origin the caller named). */
  readonly path: string;
  /** The model's id from its metadata ('' if none). */
  readonly modelId: string;
}

/**
 * What the node needs to run ml-lru and ml-lfu and may not import itself: the composition root
 * of the `mlcache` CLI (cli/node-command.ts) binds them to ml-scorer and the scorer client.
 */
export interface MlPorts {
  /** A trainer that trains in a worker thread (for `--scorer local`). */
  createTrainer(): TrainerPort & { close(): void };
  /**
   * Reads and decodes a model: `default` (the shipped model) or a file path. Rejects with an
   * error whose message says what is wrong (and whose `code` is a MODEL_E_* code).
   */
  loadModel(source: string): Promise<LoadedModel>;
  /**
   * Decodes ONNX bytes (a model the scorer service published); `origin` names them in the
   * result's `path`. Throws an error whose `code` is a MODEL_E_* code when they cannot be used.
   */
  decodeModel(onnx: Uint8Array, origin: string): LoadedModel;
  /** Connects to a scorer service (for `--scorer grpc://host:port`). */
  createScorerClient(options: ScorerClientOptions): ScorerClient;
}

/** The ports and the start model a learned policy is built from. */
export interface MlInputs {
  readonly ports: MlPorts;
  readonly model?: LoadedModel;
}

/**
 * The model the node ranks with until it trains or pulls a better one, or undefined for none
 * (`--model none`, or a scorer service that ranks remotely with its own models); a string is
 * the configuration problem to report. With a scorer service that publishes models, the start
 * model serves until the first publication, instead of the base policy alone.
 */
export async function loadStartModel(
  config: NodeConfig,
  ports: MlPorts,
): Promise<LoadedModel | string | undefined> {
  if (config.model === 'none' || rankedRemotely(config.scorer, config.scorerRank)) {
    return undefined;
  }
  try {
    return await ports.loadModel(config.model);
  } catch (error) {
    const what = config.model === 'default' ? 'the default model' : `'${config.model}'`;
    return `--model: cannot use ${what}: ${describeError(error)}`;
  }
}

/** The learned policy and what reports on it, with what to close at shutdown. */
export interface BuiltMlPolicy {
  readonly policy: MlHybridPolicy;
  readonly telemetry: MlTelemetry;
}

/**
 * Builds ml-lru or ml-lfu, the node's clock for deadlines and the breaker, and the telemetry that
 * metrics, /v1/stats and the logs read. Where the model comes from and where it is evaluated:
 * - `--scorer local`: the start model in process, retrained in a worker thread;
 * - `--scorer grpc://…` (rank local): the scorer service's published models, pulled and
 *   evaluated in process; the samples go to the service, which trains;
 * - `--scorer grpc://… --scorer-rank remote`: batches scored by the service, ahead of need.
 */
export function buildMlPolicy(
  config: NodeConfig,
  ml: MlInputs,
  clock: Clock,
  logger: Logger,
  closers: Closer[],
): BuiltMlPolicy {
  const base = mlBaseOf(config.policy)!;
  const service = scorerTarget(config.scorer);
  const remote = rankedRemotely(config.scorer, config.scorerRank);
  // The policy is built last (it takes the observer); the telemetry reads it only later.
  const telemetry = new MlTelemetry({
    stats: () => policy.stats(),
    clock,
    remote,
    pulling: service !== null && !remote,
    base,
  });
  let scoring: Partial<MlHybridOptions>;
  let client: ScorerClient | undefined;
  if (service === null) {
    const trainer = ml.ports.createTrainer();
    closers.push({ name: 'trainer', close: () => trainer.close() });
    const timed: TrainerPort = {
      train: (job: TrainingJob) => {
        const started = clock.monotonic();
        const done = (): void => telemetry.trainingDone(clock.monotonic() - started);
        const result = trainer.train(job);
        if (result instanceof Promise) void result.then(done, done);
        else done();
        return result;
      },
    };
    scoring = { trainer: timed, ...(ml.model === undefined ? {} : { scorer: ml.model.model }) };
  } else {
    const opened = ml.ports.createScorerClient({
      address: service,
      deadlineMs: config.scorerDeadlineMs,
      logger: logger.child({ component: 'scorer-client' }),
      node: config.nodeName,
      base,
    });
    closers.push({ name: 'scorer client', close: () => opened.close() });
    client = opened;
    scoring = remote
      ? { remoteScorer: opened.scorer, sampleSink: opened.sink }
      : { sampleSink: opened.sink, ...(ml.model === undefined ? {} : { scorer: ml.model.model }) };
  }
  const options: MlHybridOptions = {
    ...scoring,
    capacity: config.maxMemory,
    // The store's budget is memory, which the evicted-keys table is paid from (5% at most).
    memoryBudget: true,
    seed: 1,
    base,
    clock,
    params: {
      deadline: config.scorerDeadlineMs,
      breakerCooldown: BREAKER_COOLDOWN_MS,
      ghostMaxCapacity: config.mlEvictedKeys,
      ...(config.mlPlainSwitch ? {} : { plainSustain: 0 }),
    },
    observer: telemetry.observer,
  };
  const policy = createMlHybridPolicy(options);
  if (ml.model !== undefined && policy.stats().modelVersion === 0) {
    // installModel refused it (another feature schema): the decoder checks, so this is a bug.
    throw new Error(`the policy refused the model from ${ml.model.path}`);
  }
  if (client !== undefined) {
    const listener = remote
      ? announcedModel(telemetry, logger)
      : pulledModel({ policy, telemetry, logger, ports: ml.ports, scorer: config.scorer });
    client.onModel(listener);
  }
  logger.info('learned policy', {
    policy: config.policy,
    scorer: config.scorer,
    ...(service === null ? {} : { rank: config.scorerRank }),
    model: remote ? 'scorer service' : (ml.model?.path ?? 'none'),
    modelId: ml.model?.modelId ?? '',
    deadlineMs: config.scorerDeadlineMs,
  });
  // Model ages are wall-clock: note version changes every second, not only at scrapes.
  const poll = setInterval(() => telemetry.poll(), 1000);
  poll.unref();
  closers.push({ name: 'ml telemetry', close: () => clearInterval(poll) });
  telemetry.poll();
  return { policy, telemetry };
}

/** With `--scorer-rank remote`: a model the service announced is only reported. */
function announcedModel(telemetry: MlTelemetry, logger: Logger): (notice: ModelNotice) => void {
  return (notice) => {
    if (!ofThisSchema(notice)) return;
    telemetry.remoteModel({
      version: notice.version,
      installedAtMs: notice.installedAtMs,
      source: notice.source,
    });
    logger.info('scorer service model', { version: notice.version, source: notice.source });
  };
}

interface PullInputs {
  readonly policy: MlHybridPolicy;
  readonly telemetry: MlTelemetry;
  readonly logger: Logger;
  readonly ports: MlPorts;
  /** `grpc://host:port`, to name where a model came from. */
  readonly scorer: string;
}

/**
 * With `--scorer-rank local`: each model the service publishes is decoded and installed, and
 * scored in process from then on. A model that cannot be used (corrupt, another feature schema)
 * is logged and counted, and the model in use stays.
 */
function pulledModel(inputs: PullInputs): (notice: ModelNotice) => void {
  const { policy, telemetry, logger } = inputs;
  return (notice) => {
    const about = { version: notice.version, source: notice.source };
    const refuse = (reason: PullRefusal, error: string): void => {
      telemetry.pullRefused(reason);
      logger.warn('scorer service model refused; the model in use stays', {
        ...about,
        reason,
        error,
        inUse: telemetry.modelVersion(policy.stats()),
      });
    };
    if (!ofThisSchema(notice)) {
      refuse(
        'feature_version',
        `feature schema ${notice.featureSchemaVersion} with ${notice.nFeatures} features; ` +
          `this node writes schema ${FEATURE_SCHEMA_VERSION} with ${FEATURE_COUNT}`,
      );
      return;
    }
    let decoded: LoadedModel;
    try {
      decoded = inputs.ports.decodeModel(notice.onnx, `${inputs.scorer} v${notice.version}`);
    } catch (error) {
      refuse(pullRefusalOf((error as { code?: unknown } | null)?.code), describeError(error));
      return;
    }
    if (!policy.installModel(decoded.model)) {
      refuse('feature_version', 'the policy refused its feature schema');
      return;
    }
    telemetry.pulled({
      version: notice.version,
      installedAtMs: notice.installedAtMs,
      source: notice.source,
    });
    logger.info('installed the scorer service model', { ...about, modelId: decoded.modelId });
  };
}

/** Whether the service says the model was trained on this build's features. */
function ofThisSchema(notice: ModelNotice): boolean {
  return (
    notice.featureSchemaVersion === FEATURE_SCHEMA_VERSION && notice.nFeatures === FEATURE_COUNT
  );
}
