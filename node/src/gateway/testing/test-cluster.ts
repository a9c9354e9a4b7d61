import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { listenHttp } from '../../platform/http-listener.ts';
import type { HttpListener } from '../../platform/http-listener.ts';
import type { Ring, RingNode } from '../../cluster/ring.ts';
import { createRing, serializeRingDocument } from '../../cluster/ring-document.ts';
import { startTestServer } from '../../server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../server/resp/testing/start-test-server.ts';
import { createSystemClock } from '../../util/clock.ts';
import { createLogger } from '../../util/logger.ts';
import type { LogLevel } from '../../util/logger.ts';
import { createGateway } from '../create-gateway.ts';
import type { Gateway, GatewayOptions } from '../create-gateway.ts';

/**
 * Test fixtures: real RESP nodes in this process (the node's own server over a real Store, on
 * 127.0.0.1 and free ports) and a gateway in front of them, plus ring documents for them.
 */

export async function startNodes(count: number): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: count }, () => startTestServer()));
}

/** A ring node for a RESP port on 127.0.0.1. */
export function localNode(id: string, port: number): RingNode {
  const address = `127.0.0.1:${port}`;
  return { id, address, grpcAddress: address, adminAddress: address, weight: 1, state: 'active' };
}

/** A ring over the given ports (ids node-0, node-1, ...), with optional shard overrides. */
export function ringOver(
  epoch: number,
  ports: readonly number[],
  overrides?: ReadonlyMap<number, string>,
): Ring {
  const result = createRing({
    epoch,
    nodes: ports.map((port, i) => localNode(`node-${i}`, port)),
    ...(overrides ? { overrides } : {}),
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.ring;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly port: number;
  readonly adminPort: number;
  readonly registry: Registry;
  /** The JSON log lines written so far. */
  logs(): string[];
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number | undefined>;
  close(): Promise<void>;
}

export type TestGatewayOptions = Partial<Omit<GatewayOptions, 'clock' | 'logger' | 'registry'>> & {
  readonly logLevel?: LogLevel;
};

/** Starts a gateway on free ports with its admin app; logs are captured, not printed. */
export async function startGateway(options: TestGatewayOptions): Promise<RunningGateway> {
  const clock = createSystemClock();
  const lines: string[] = [];
  const logger = createLogger({
    level: options.logLevel ?? 'info',
    clock,
    write: (line) => lines.push(line),
  });
  const registry = new Registry();
  const gateway = createGateway({
    name: 'test-gw',
    ring: undefined,
    processMetrics: false,
    closeTimeoutMs: 1000,
    ...options,
    clock,
    logger,
    registry,
  });
  await gateway.start();
  const address = await gateway.listen(0, '127.0.0.1');
  const admin: HttpListener = await listenHttp(gateway.admin, '127.0.0.1', 0);
  return {
    gateway,
    port: address.port,
    adminPort: admin.port,
    registry,
    logs: () => lines,
    metric: async (name, labels = {}) => {
      const metric = await registry.getSingleMetric(name)?.get();
      const sample = metric?.values.find((value) =>
        Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted),
      );
      return sample?.value;
    },
    close: async () => {
      await gateway.close();
      await admin.close();
    },
  };
}

/** A temporary directory laid out like a ConfigMap volume, holding `ring.json`. */
export class RingVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'mlcache-ring-'));
  readonly path = join(this.dir, 'ring.json');
  #version = 0;

  constructor(ring: Ring | string) {
    this.write(ring);
  }

  /**
   * Writes a new version the way the kubelet does: a fresh timestamped directory, then an atomic
   * swap of the `..data` symlink (the file itself is a symlink through `..data`).
   */
  write(ring: Ring | string): void {
    const text = typeof ring === 'string' ? ring : serializeRingDocument(ring);
    const version = `..v${++this.#version}`;
    mkdirSync(join(this.dir, version));
    writeFileSync(join(this.dir, version, 'ring.json'), text);
    symlinkSync(version, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (!existsSync(this.path)) symlinkSync(join('..data', 'ring.json'), this.path);
  }

  /**
   * Rewrites the current version's file in place, inside its versioned directory: the watched
   * directory sees no event, as when a watch lags. Only a re-read (poll, MOVED) notices it.
   */
  overwriteInPlace(ring: Ring | string): void {
    const text = typeof ring === 'string' ? ring : serializeRingDocument(ring);
    writeFileSync(join(this.dir, `..v${this.#version}`, 'ring.json'), text);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
