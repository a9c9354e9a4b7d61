/**
 * Crash recovery of the whole node: clients stream `SET`s (and some `DEL`s) over RESP to a node
 * running with `--durability sync`, the node is SIGKILLed mid-stream, restarted on the same data
 * directory, and every acknowledged write must be there: each acknowledged SET with its value,
 * each acknowledged DEL still gone. Writes whose reply never came may or may not have survived.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import type { RunningNode } from './start-node.ts';
import { cleanupsAfterEach, tempDir } from './support/cleanups.ts';
import { redisClient, startLocalNode } from './support/local-node.ts';

const CLIENTS = 16;
const TARGET_ACKS = 4000;

const cleanups = cleanupsAfterEach();

const start = (dataDir: string): Promise<RunningNode> =>
  startLocalNode(cleanups, ['--data-dir', dataDir, '--durability', 'sync']);

function connect(node: RunningNode): Redis {
  const client = redisClient(cleanups, node, {
    retryStrategy: () => null, // the node is killed: no reconnecting
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  client.on('error', () => {}); // connection errors after the kill are expected
  return client;
}

const valueOf = (key: string): string => `${key}:${'v'.repeat(64)}`;

describe('node crash recovery', () => {
  it('keeps every acknowledged write across a SIGKILL', async () => {
    const dataDir = tempDir(cleanups, 'crash-node');
    const node = await start(dataDir);

    const present = new Map<string, string>();
    const deleted = new Set<string>();
    let acks = 0;
    let killed = false;
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = connect(node);
        await client.connect();
        return client;
      }),
    );
    const unexpected: string[] = [];
    const streams = clients.map(async (client, c) => {
      for (let n = 0; ; n++) {
        const key = `c${c}:${n}`;
        let reply: string;
        try {
          reply = await client.set(key, valueOf(key));
        } catch {
          return; // the kill cut this client off mid-command: that write was never acknowledged
        }
        if (reply !== 'OK') unexpected.push(`SET ${key}: ${reply}`);
        present.set(key, valueOf(key));
        if (n % 10 === 9) {
          // Delete an earlier key of this client; only an acknowledged DEL must stick.
          const victim = `c${c}:${n - 5}`;
          try {
            await client.del(victim);
          } catch {
            // Not acknowledged, so the DEL may or may not have survived: the victim's SET is no
            // longer a write that must be readable.
            present.delete(victim);
            return;
          }
          present.delete(victim);
          deleted.add(victim);
        }
        if (++acks >= TARGET_ACKS && !killed) {
          killed = true;
          node.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(streams);
    const exit = await node.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(unexpected).toEqual([]);
    expect(acks).toBeGreaterThanOrEqual(TARGET_ACKS);

    const again = await start(dataDir);
    const reader = connect(again);
    await reader.connect();
    const keys = [...present.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const values = await reader.mget(...chunk);
      const lost = chunk.filter((key, j) => values[j] !== present.get(key));
      expect(lost).toEqual([]);
    }
    const victims = [...deleted];
    if (victims.length > 0) expect(await reader.exists(...victims)).toBe(0);
    expect(await again.stop()).toMatchObject({ code: 0 });
  });
});
