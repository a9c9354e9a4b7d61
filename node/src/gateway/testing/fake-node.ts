import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { RespRequestDecoder } from '../../protocol/resp/decoder.ts';
import { NEED_MORE } from '../../protocol/resp/types.ts';
import { keyShardAt } from '../routing/key-shard.ts';

/** What a fake node answers to one command (the reply's bytes), given its arguments. */
export type FakeAnswer = (args: readonly string[]) => string | undefined;

export interface FakeNode {
  readonly port: number;
  readonly address: string;
  /** Commands received so far, as argument lists. */
  readonly received: string[][];
  close(): Promise<void>;
}

/**
 * A tiny RESP server for failure tests: it decodes requests with the node's decoder and answers
 * whatever `answer` says (undefined: no reply at all, like a hung node).
 */
export async function startFakeNode(answer: FakeAnswer): Promise<FakeNode> {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new RespRequestDecoder();
    socket.on('data', (chunk: Buffer) => {
      decoder.feed(chunk);
      while (decoder.next() !== NEED_MORE) {
        const args = decoder.args.toBuffers().map((arg) => arg.toString('latin1'));
        received.push(args);
        const reply = answer(args);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The `-MOVED <shard> <address>` reply for `key`, as the cluster runtime words it. */
export function movedReply(key: string, address: string, shardCount = 4096): string {
  const bytes = Buffer.from(key, 'latin1');
  return `-MOVED ${keyShardAt(bytes, 0, bytes.length, shardCount - 1)} ${address}\r\n`;
}
