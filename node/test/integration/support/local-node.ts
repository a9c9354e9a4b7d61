/**
 * A local `mlcache node` process for an integration test (start-node.ts with LOCAL_NODE_ARGS),
 * stopped after the test, and the clients a test talks to it with.
 */
import { createServer } from 'node:net';

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

import { LOCAL_NODE_ARGS, startNode } from '../start-node.ts';
import type { RunningNode } from '../start-node.ts';
import type { Cleanups } from './cleanups.ts';

/** Starts `mlcache node` on free local ports with `args`; `cleanups` stops it. */
export async function startLocalNode(
  cleanups: Cleanups,
  args: readonly string[],
): Promise<RunningNode> {
  const node = await startNode([...LOCAL_NODE_ARGS, ...args]);
  cleanups.add(() => node.stop());
  return node;
}

/**
 * An ioredis client of `node`'s RESP port that fails a command rather than retry it, with
 * `options` on top; `cleanups` disconnects it.
 */
export function redisClient(
  cleanups: Cleanups,
  node: RunningNode,
  options: Pick<RedisOptions, 'lazyConnect' | 'enableOfflineQueue' | 'retryStrategy'> = {},
): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: node.listening.resp,
    maxRetriesPerRequest: 0,
    ...options,
  });
  cleanups.add(() => client.disconnect());
  return client;
}

/** The JSON body of `GET path` on `node`'s admin port. */
export async function adminJson<T>(node: RunningNode, path: string): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${node.listening.admin}${path}`)).json()) as T;
}

/** A local TCP port that was free a moment ago (nothing listens on it). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
