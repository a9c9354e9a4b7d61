import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseReply } from '../../../src/protocol/resp/reply-parser.ts';
import { RawClient } from '../../../src/server/resp/testing/start-test-server.ts';

/**
 * A real redis-server for differential tests: whether one is installed, starting one on a free
 * port of 127.0.0.1 with nothing persisted, and cutting what a connection received into frames.
 */

/** True when `redis-server` runs here (CI installs it; tests skip with a message otherwise). */
export const redisServerAvailable: Promise<boolean> = new Promise((resolve) => {
  const child = spawn('redis-server', ['--version']);
  child.on('error', () => resolve(false));
  child.on('exit', (code) => resolve(code === 0));
});

export interface ReferenceRedis {
  readonly port: number;
  stop(): void;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startReferenceRedis(): Promise<ReferenceRedis> {
  const port = await freePort();
  const child = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  for (let i = 0; i < 100; i++) {
    const up = await RawClient.connect(port).then(
      (client) => (client.destroy(), true),
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop: () => child.kill() };
}

/** Cuts a stream of replies into each reply's bytes (latin1); throws on an incomplete one. */
export function splitFrames(bytes: Buffer): string[] {
  const frames: string[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const parsed = parseReply(bytes, offset);
    if (parsed === undefined) throw new Error(`incomplete reply at ${offset}`);
    frames.push(bytes.toString('latin1', offset, parsed.next));
    offset = parsed.next;
  }
  return frames;
}

/** The complete frames a client has received so far (none while one is still incomplete). */
export function receivedFrames(client: RawClient): string[] {
  try {
    return splitFrames(Buffer.from(client.text, 'latin1'));
  } catch {
    return [];
  }
}
