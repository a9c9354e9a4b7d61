/**
 * The composition root of `mlcache gateway`: the only place of the gateway that reads the
 * environment, creates the clock, the logger and the metrics Registry, listens on ports and
 * handles signals.
 *
 * Start-up: config (flags > MLCACHE_GATEWAY_* env > defaults; every problem listed, exit 2)
 *   -> logger, clock, Registry -> gateway (ring from --ring or --nodes; connections to the nodes)
 *   -> admin port -> RESP port -> the `listening` line.
 *
 * The listening line (stable; tests and tools parse it to learn the ports picked for port 0):
 * exactly one JSON line on stdout, keys in this order:
 *
 *   {"event":"listening","gateway":"gw-0","bind":"0.0.0.0","resp":6379,"admin":9380,"pid":1}
 *
 * The gateway listens even before it has a ring (it then answers CLUSTERDOWN and /readyz says
 * 503), so that a ring can also arrive by `PUT /v1/ring`. Shutdown on SIGTERM or SIGINT: /readyz
 * turns 503, clients get the replies they are owed, node connections drain, exit 0; a second
 * signal exits at once with status 1. A start-up failure prints `mlcache gateway: cannot start:
 * ...` and exits 1.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import {
  gatewayHelpText,
  loadGatewayConfig,
  redactGatewayConfig,
} from './gateway/config/load-gateway-config.ts';
import type { GatewayConfig } from './gateway/config/load-gateway-config.ts';
import { createGateway } from './gateway/create-gateway.ts';
import { listenHttp } from './platform/http-listener.ts';
import type { HttpListener } from './platform/http-listener.ts';
import {
  configOrExitCode,
  createStderrLogger,
  describeError,
  handleStopSignals,
  printListening,
} from './platform/lifecycle.ts';
import type { StopSignals } from './platform/lifecycle.ts';
import { createSystemClock } from './util/clock.ts';
import type { Logger } from './util/logger.ts';

/** Runs a gateway until a signal stops it; resolves to the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const loaded = configOrExitCode(
    'gateway',
    loadGatewayConfig({
      argv,
      env: process.env,
      hostname: hostname(),
      readFile: (path) => readFileSync(path, 'utf8'),
    }),
    gatewayHelpText,
  );
  if ('exitCode' in loaded) return loaded.exitCode;
  const config = loaded.config;
  const logger = createStderrLogger(config.logLevel, createSystemClock()).child({
    gateway: config.gatewayName,
  });
  const stop = handleStopSignals(logger);
  try {
    return await serve(config, logger, stop);
  } finally {
    stop.dispose();
  }
}

async function serve(config: GatewayConfig, logger: Logger, stop: StopSignals): Promise<number> {
  const clock = createSystemClock();
  const gateway = createGateway({
    clock,
    logger,
    registry: new Registry(),
    name: config.gatewayName,
    ring:
      config.ring !== null
        ? { file: config.ring, pollMs: config.ringPollMs }
        : config.nodes.length > 0
          ? { nodes: config.nodes }
          : undefined,
    requirePass: config.requirepass ?? undefined,
    nodePassword: config.nodePassword ?? undefined,
    connectionsPerNode: config.connectionsPerNode,
    connectTimeoutMs: config.connectTimeoutMs,
    commandTimeoutMs: config.commandTimeoutMs,
    maxQueue: config.maxQueue,
    maxRedirects: config.maxRedirects,
    nearCacheTtlMs: config.nearCacheTtlMs,
    nearCacheKeys: config.nearCacheKeys,
    nearCacheInvalidation: config.nearCacheInvalidation,
    maxInflight: config.maxInflight,
    maxClients: config.maxClients,
    mirrors: config.mirrors,
    primaryName: config.primaryName,
    mirrorMaxInflight: config.mirrorMaxInflight,
  });
  let admin: HttpListener | undefined;
  try {
    logger.info('starting', { config: redactGatewayConfig(config) });
    await gateway.start();
    admin = await listenHttp(gateway.admin, config.bind, config.adminPort);
    const resp = await gateway.listen(config.port, config.bind);
    printListening({
      gateway: config.gatewayName,
      bind: config.bind,
      resp: resp.port,
      admin: admin.port,
    });
    logger.info('ready to accept clients', { resp: resp.port, admin: admin.port });
    await stop.stopped();
    await gateway.close();
    await admin.close();
    return 0;
  } catch (error) {
    logger.error('start-up failed', { error });
    process.stderr.write(`mlcache gateway: cannot start: ${describeError(error)}\n`);
    await gateway.close().catch(() => {});
    await admin?.close().catch(() => {});
    return 1;
  }
}
