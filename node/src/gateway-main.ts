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
import { listenHttp } from './admin/http-listener.ts';
import {
  gatewayHelpText,
  loadGatewayConfig,
  redactGatewayConfig,
} from './gateway/config/load-gateway-config.ts';
import type { GatewayConfig } from './gateway/config/load-gateway-config.ts';
import { createGateway } from './gateway/create-gateway.ts';
import { createSystemClock } from './util/clock.ts';
import { createLogger } from './util/logger.ts';
import type { Logger } from './util/logger.ts';

/** Runs a gateway until a signal stops it; resolves to the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const loaded = loadGatewayConfig({
    argv,
    env: process.env,
    hostname: hostname(),
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  if (loaded.kind === 'help') {
    process.stdout.write(`${gatewayHelpText()}\n`);
    return 0;
  }
  if (loaded.kind === 'invalid') {
    process.stderr.write(
      ['mlcache gateway: invalid configuration:', ...loaded.problems.map((p) => `  ${p}`)].join(
        '\n',
      ) + '\n',
    );
    return 2;
  }
  const config = loaded.config;
  const clock = createSystemClock();
  const logger = createLogger({
    level: config.logLevel,
    clock,
    write: (line) => process.stderr.write(line),
  }).child({ gateway: config.gatewayName });

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(1);
    }
    logger.info('shutting down', { signal });
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await serve(config, logger, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

async function serve(config: GatewayConfig, logger: Logger, stopped: AbortSignal): Promise<number> {
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
    maxInflight: config.maxInflight,
    maxClients: config.maxClients,
    mirrors: config.mirrors,
    primaryName: config.primaryName,
    mirrorMaxInflight: config.mirrorMaxInflight,
  });
  let admin: Awaited<ReturnType<typeof listenHttp>> | undefined;
  try {
    logger.info('starting', { config: redactGatewayConfig(config) });
    await gateway.start();
    admin = await listenHttp(gateway.admin, config.bind, config.adminPort);
    const resp = await gateway.listen(config.port, config.bind);
    const listening = {
      event: 'listening',
      gateway: config.gatewayName,
      bind: config.bind,
      resp: resp.port,
      admin: admin.port,
      pid: process.pid,
    };
    process.stdout.write(`${JSON.stringify(listening)}\n`);
    logger.info('ready to accept clients', { resp: resp.port, admin: admin.port });
    if (!stopped.aborted) {
      await new Promise((resolve) => stopped.addEventListener('abort', resolve, { once: true }));
    }
    await gateway.close();
    await admin.close();
    return 0;
  } catch (error) {
    logger.error('start-up failed', { error });
    process.stderr.write(`mlcache gateway: cannot start: ${describe(error)}\n`);
    await gateway.close().catch(() => {});
    await admin?.close().catch(() => {});
    return 1;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}
