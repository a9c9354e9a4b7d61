/**
 * The composition root of `mlcache scorer`: the only place of the scorer that reads the
 * environment, creates the clock, the logger, the metrics Registry and the worker trainer,
 * listens on ports and handles signals.
 *
 * Start-up: config (flags > MLCACHE_SCORER_* env > defaults; every problem listed, exit 2)
 *   -> --model read and validated (a missing, corrupt or mismatched model: exit 2, naming the file
 *      and the ModelError code) -> gRPC and admin ports -> the `listening` line on stdout:
 *
 *   {"event":"listening","bind":"127.0.0.1","grpc":7390,"admin":9390,"pid":1}
 *
 * SIGHUP re-reads --model: a model that cannot be used is logged and the served one stays.
 * SIGTERM or SIGINT: the ports close, WatchModel streams end, a training in flight is aborted,
 * exit 0; a second signal exits at once with status 1. A start-up failure (a port in use) prints
 * `mlcache scorer: cannot start: ...` and exits 1.
 */
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import {
  configOrExitCode,
  createStderrLogger,
  describeError,
  handleStopSignals,
  printListening,
} from '../../../node/src/platform/lifecycle.ts';
import { createSystemClock } from '../../../node/src/util/clock.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import { createWorkerTrainer } from '../learn/worker-trainer.ts';
import { ModelError, OnnxScorer } from '../serve/onnx-session.ts';
import { loadScorerConfig, scorerHelpText } from '../serve/scorer-config.ts';
import type { ScorerConfig } from '../serve/scorer-config.ts';
import { startScorer } from '../serve/scorer-server.ts';
import type { RunningScorer } from '../serve/scorer-server.ts';

/** Runs the scorer until a signal stops it; resolves to the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const loaded = configOrExitCode('scorer', loadScorerConfig(argv, process.env), scorerHelpText);
  if ('exitCode' in loaded) return loaded.exitCode;
  const config = loaded.config;
  const clock = createSystemClock();
  const logger = createStderrLogger(config.logLevel, clock).child({ component: 'scorer' });

  let initialModel: { scorer: OnnxScorer; onnx: Uint8Array } | undefined;
  if (config.model !== null) {
    try {
      initialModel = await readModel(config.model);
    } catch (error) {
      process.stderr.write(
        `mlcache scorer: cannot use --model ${config.model}: ${describeError(error, { withCause: true })}\n`,
      );
      return 2;
    }
  }

  let scorer: RunningScorer | undefined;
  const stop = handleStopSignals(logger, () => {
    if (scorer !== undefined) void reload(config, scorer, logger);
  });
  const trainer = createWorkerTrainer();
  try {
    try {
      scorer = await startScorer({
        bind: config.bind,
        port: config.port,
        adminPort: config.adminPort,
        clock,
        logger,
        registry: new Registry(),
        trainer,
        seed: config.seed,
        windowRows: config.windowRows,
        retrainEvery: config.retrainEvery,
        ...(initialModel ? { initialModel } : {}),
        config: { ...config },
      });
    } catch (error) {
      logger.error('start-up failed', { error });
      process.stderr.write(
        `mlcache scorer: cannot start: ${describeError(error, { withCause: true })}\n`,
      );
      await initialModel?.scorer.close();
      return 1;
    }
    printListening({ bind: config.bind, grpc: scorer.grpcPort, admin: scorer.adminPort });
    logger.info('ready', { grpc: scorer.grpcPort, admin: scorer.adminPort });
    await stop.stopped();
    await scorer.close();
    return 0;
  } finally {
    stop.dispose();
  }
}

/** Reads and validates a model file; rejects with a ModelError. */
async function readModel(path: string): Promise<{ scorer: OnnxScorer; onnx: Uint8Array }> {
  let onnx: Uint8Array;
  try {
    onnx = await readFile(path);
  } catch (error) {
    throw new ModelError('MODEL_E_IO', `cannot read ${path}`, { cause: error });
  }
  return { scorer: await OnnxScorer.load(onnx), onnx };
}

/** SIGHUP: serve the --model file again (it may have been replaced); a bad one is refused. */
async function reload(config: ScorerConfig, scorer: RunningScorer, logger: Logger): Promise<void> {
  if (config.model === null) {
    logger.warn('SIGHUP without --model: nothing to reload');
    return;
  }
  try {
    const onnx = await readFile(config.model);
    const installed = await scorer.installModel(onnx);
    logger.info('model reloaded', { path: config.model, version: installed.version });
  } catch (error) {
    logger.error('model reload refused, the previous model stays', {
      path: config.model,
      error,
    });
  }
}
