import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Runs `mlcache node` as a child process, the way a user or a container does, for integration
 * tests. `startNode` resolves once the node prints its `listening` line (see node/src/main.ts)
 * and gives the ports it picked, so that tests can pass port 0 everywhere.
 */
export const MLCACHE_BIN = join(import.meta.dirname, '../../../bin/mlcache.js');

/** Flags for a node that only listens locally on free ports and logs warnings and errors only. */
export const LOCAL_NODE_ARGS = [
  '--bind',
  '127.0.0.1',
  '--port',
  '0',
  '--grpc-port',
  '0',
  '--admin-port',
  '0',
  '--log-level',
  'warn',
] as const;

/** The `listening` line. */
export interface Listening {
  readonly event: 'listening';
  readonly node: string;
  readonly bind: string;
  readonly resp: number;
  readonly grpc: number;
  readonly admin: number;
  readonly pid: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningNode {
  readonly listening: Listening;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything written to stderr so far (JSON log lines). */
  stderr(): string;
  /** Sends SIGTERM and resolves when the process has exited. */
  stop(): Promise<Exit>;
}

/** Runs `mlcache node args` to completion (for --help and invalid configurations). */
export function runNode(args: readonly string[], env: Record<string, string> = {}): Promise<Exit> {
  const child = spawnNode(args, env);
  return collect(child);
}

/** Starts `mlcache node args` and resolves once it listens; rejects if it exits first. */
export async function startNode(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunningNode> {
  const child = spawnNode(args, env);
  const exited = collect(child);
  const listening = await new Promise<Listening>((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end === -1) return;
      child.stdout.off('data', onData);
      resolve(JSON.parse(stdout.slice(0, end)) as Listening);
    };
    child.stdout.on('data', onData);
    void exited.then((exit) =>
      reject(new Error(`mlcache node exited (${exit.code}) before listening:\n${exit.stderr}`)),
    );
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    listening,
    child,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function spawnNode(
  args: readonly string[],
  env: Record<string, string>,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [MLCACHE_BIN, 'node', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}
