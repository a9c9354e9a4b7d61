/**
 * Starts the scorer: the core (model, window, training), the gRPC port and the admin port, and
 * stops them in reverse order. Everything with a side effect outside the process (the clock, the
 * logger, the registry, the trainer) is passed in, so that tests run several scorers side by
 * side; ml-scorer/src/cli/scorer.ts is the composition root that passes the real ones.
 */
import { Server } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { bindGrpc, shutdownGrpc } from '../../../node/src/platform/grpc-server.ts';
import { listenHttp } from '../../../node/src/platform/http-listener.ts';
import type { TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { Clock } from '../../../node/src/util/clock.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import type { InstalledModel, LoadedModel } from './model-slot.ts';
import { createScorerAdminApp } from './scorer-admin.ts';
import { ScorerCore } from './scorer-core.ts';
import { createScorerMetrics } from './scorer-metrics.ts';
import { loadScorerService } from './scorer-proto.ts';
import { createScorerService } from './scorer-service.ts';
import type { GateParams } from './scorer-training.ts';

export interface ScorerServerOptions {
  readonly bind: string;
  /** gRPC port; 0 picks a free one. */
  readonly port: number;
  /** Admin HTTP port; 0 picks a free one. */
  readonly adminPort: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly trainer: { train(job: TrainingJob): Promise<TreeEnsemble>; close(): void };
  readonly seed: number;
  readonly windowRows: number;
  readonly retrainEvery: number;
  /** Rows before the first training. @default 1024 */
  readonly firstTrainAt?: number;
  readonly gate?: GateParams;
  /** A validated model to serve from the start (version 1, source "file"). */
  readonly initialModel?: { readonly scorer: LoadedModel; readonly onnx: Uint8Array };
  /** Shown under `config` in /v1/status. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Register prom-client's process metrics. @default true */
  readonly processMetrics?: boolean;
}

export interface RunningScorer {
  readonly core: ScorerCore;
  readonly grpcPort: number;
  readonly adminPort: number;
  /** Loads and serves ONNX bytes; rejects with a ModelError and keeps the current model. */
  installModel(onnx: Uint8Array): Promise<InstalledModel>;
  /** Stops both ports, ends WatchModel streams, aborts training, frees the model. */
  close(): Promise<void>;
}

/** gRPC's default 4 MiB is too small for a 64Ki-row SubmitSamples batch (3 MiB rows + labels). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export async function startScorer(options: ScorerServerOptions): Promise<RunningScorer> {
  const { clock, logger } = options;
  let ready = false;
  // The metrics read the core at scrape time; the core counts into the metrics.
  const state = { core: undefined as ScorerCore | undefined };
  const metrics = createScorerMetrics({
    registry: options.registry,
    processMetrics: options.processMetrics ?? true,
    state: () => {
      const current = state.core?.slot.current ?? null;
      return {
        modelVersion: current?.version ?? 0,
        modelAgeMs: current === null ? null : clock.now() - current.installedAtMs,
        windowRows: state.core?.window.training.size ?? 0,
      };
    },
  });
  const core = new ScorerCore({
    clock,
    logger,
    trainer: options.trainer,
    metrics,
    seed: options.seed,
    windowRows: options.windowRows,
    retrainEvery: options.retrainEvery,
    ...(options.firstTrainAt === undefined ? {} : { firstTrainAt: options.firstTrainAt }),
    ...(options.gate ? { gate: options.gate } : {}),
  });
  state.core = core;
  if (options.initialModel) {
    core.slot.install(options.initialModel.scorer, {
      onnx: options.initialModel.onnx,
      installedAtMs: clock.now(),
      trainingRows: 0,
      source: 'file',
    });
  }
  const installModel = (onnx: Uint8Array): Promise<InstalledModel> =>
    core.installModel(onnx, 'file');

  const closers: (() => Promise<void>)[] = [() => core.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const service = createScorerService({
      core,
      metrics,
      clock,
      logger: logger.child({ component: 'grpc' }),
    });
    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      // Ping idle connections, so that a node that vanished without closing its WatchModel
      // stream is noticed (and unsubscribed) within about a minute, not hours.
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
    server.addService(loadScorerService().service, service.implementation);
    const grpcPort = await bindGrpc(server, options.bind, options.port).catch((error: Error) => {
      throw new Error(`grpc port: ${error.message}`);
    });
    closers.push(() => {
      service.endStreams();
      return shutdownGrpc(server, 5000);
    });
    const admin = await listenHttp(
      createScorerAdminApp({
        registry: options.registry,
        ready: () => ready,
        status: () => core.status(),
        installModel,
        config: options.config ?? {},
        logger: logger.child({ component: 'admin' }),
      }),
      options.bind,
      options.adminPort,
    ).catch((error: Error) => {
      throw new Error(`admin port: ${error.message}`);
    });
    // Closed last, so that probes see the shutdown.
    closers.unshift(() => admin.close().catch(() => {}));
    ready = true;
    return {
      core,
      grpcPort,
      adminPort: admin.port,
      installModel,
      close: async () => {
        ready = false;
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
