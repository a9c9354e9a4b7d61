/** A local `mlcache scorer` process for an integration test, stopped after the test. */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

import { MLCACHE_BIN } from '../start-node.ts';
import type { Cleanups } from './cleanups.ts';

export interface RunningScorer {
  readonly grpc: number;
  readonly admin: number;
  readonly child: ChildProcessByStdio<null, Readable, null>;
}

/** Starts `mlcache scorer` on free ports with `args`; resolves once it listens. */
export async function startScorer(
  cleanups: Cleanups,
  args: readonly string[],
): Promise<RunningScorer> {
  const child = spawn(
    process.execPath,
    [MLCACHE_BIN, 'scorer', '--port', '0', '--admin-port', '0', '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.add(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const ports = await new Promise<{ grpc: number; admin: number }>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as { grpc: number; admin: number });
    });
    child.once('exit', (code) => reject(new Error(`mlcache scorer exited with ${code}`)));
  });
  return { ...ports, child };
}
