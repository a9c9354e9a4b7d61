import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Ring } from '../../../src/cluster/ring.ts';
import { RespTestClient } from '../../../src/gateway/testing/resp-test-client.ts';
import {
  ringOver,
  RingVolume,
  startGateway,
  startNodes,
} from '../../../src/gateway/testing/test-cluster.ts';
import type {
  RunningGateway,
  TestGatewayOptions,
} from '../../../src/gateway/testing/test-cluster.ts';
import type { TestServer } from '../../../src/server/resp/testing/start-test-server.ts';

/**
 * Nodes shared by one file of gateway tests: started before its tests with a direct client each
 * (to look behind the gateways), stopped after them; cleanups run after each test, last first;
 * and gateways over a ring file of those nodes. The arrays are filled in place, so a file may
 * destructure them once at its top.
 */
export interface GatewayNodes {
  readonly nodes: TestServer[];
  readonly direct: RespTestClient[];
  readonly cleanups: (() => Promise<unknown> | void)[];
  /** The nodes' RESP ports, in order (node-0 first). */
  ports(): number[];
  /** A gateway over every node, on a ring file of epoch 1 (removed after the test). */
  gatewayOnRing(
    options?: TestGatewayOptions,
  ): Promise<{ ring: Ring; volume: RingVolume; gw: RunningGateway }>;
  /** Another gateway on `volume`'s ring (near cache off unless `options` say otherwise). */
  gateway(volume: RingVolume, options?: TestGatewayOptions): Promise<RunningGateway>;
}

/** Registers the file's hooks for `count` nodes and returns what its tests use. */
export function useGatewayNodes(count: number): GatewayNodes {
  const nodes: TestServer[] = [];
  const direct: RespTestClient[] = [];
  const cleanups: (() => Promise<unknown> | void)[] = [];

  beforeAll(async () => {
    nodes.push(...(await startNodes(count)));
    direct.push(...(await Promise.all(nodes.map((node) => RespTestClient.connect(node.port)))));
  });
  afterAll(async () => {
    for (const client of direct) client.close();
    await Promise.all(nodes.map((node) => node.close()));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const ports = (): number[] => nodes.map((node) => node.port);
  const gateway = async (
    volume: RingVolume,
    options: TestGatewayOptions = {},
  ): Promise<RunningGateway> => {
    const gw = await startGateway({
      ring: { file: volume.path, pollMs: 0 },
      nearCacheTtlMs: 0,
      ...options,
    });
    cleanups.push(() => gw.close());
    return gw;
  };
  return {
    nodes,
    direct,
    cleanups,
    ports,
    gateway,
    async gatewayOnRing(options) {
      const ring = ringOver(1, ports());
      const volume = new RingVolume(ring);
      cleanups.push(() => volume.remove());
      return { ring, volume, gw: await gateway(volume, options) };
    },
  };
}
