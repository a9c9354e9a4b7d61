import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Starts `mlcache node` or `mlcache gateway` as a detached process that outlives the command
 * that started it (its own process group, no pipes to us, output appended to a log file), and
 * waits for its `listening` line to learn the ports it picked. Since stdout goes to the log,
 * the line is found by reading the log from where it ended before the start.
 */

const MLCACHE_BIN = join(import.meta.dirname, '../../../bin/mlcache.js');

/** The fields of the `listening` line that a local cluster uses (node or gateway). */
export interface Listening {
  readonly pid: number;
  readonly resp: number;
  readonly admin: number;
  /** Nodes only. */
  readonly grpc?: number;
}

export type SpawnResult =
  | { readonly ok: true; readonly listening: Listening }
  | { readonly ok: false; readonly error: string };

export interface SpawnOptions {
  readonly command: 'node' | 'gateway';
  readonly args: readonly string[];
  readonly log: string;
  readonly timeoutMs: number;
}

export async function spawnMember(options: SpawnOptions): Promise<SpawnResult> {
  const fd = openSync(options.log, 'a');
  const offset = fstatSync(fd).size;
  const child = spawn(process.execPath, [MLCACHE_BIN, options.command, ...options.args], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    exited = signal !== null ? `killed by ${signal}` : `exited with status ${code}`;
  };
  const onError = (error: Error): void => {
    exited = `could not be started: ${error.message}`;
  };
  child.on('exit', onExit);
  child.on('error', onError);
  try {
    const deadline = performance.now() + options.timeoutMs;
    for (;;) {
      const text = await readFrom(options.log, offset);
      const listening = findListening(text);
      if (listening !== undefined) return { ok: true, listening };
      if (exited !== undefined || performance.now() > deadline) {
        const why = exited ?? `did not listen within ${options.timeoutMs} ms`;
        if (exited === undefined) child.kill('SIGKILL');
        return {
          ok: false,
          error: `mlcache ${options.command} ${why}; the end of ${options.log}:\n${tail(text)}`,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    child.off('exit', onExit);
    child.off('error', onError);
  }
}

/** The first `{"event":"listening",...}` line of a log, if any. */
export function findListening(text: string): Listening | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"event":"listening"')) continue;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      const { pid, resp, admin, grpc } = value;
      if (typeof pid === 'number' && typeof resp === 'number' && typeof admin === 'number') {
        return { pid, resp, admin, ...(typeof grpc === 'number' ? { grpc } : {}) };
      }
    } catch {
      // A line cut by a concurrent write: read again on the next poll.
    }
  }
  return undefined;
}

async function readFrom(path: string, offset: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n') || '(empty)';
}
