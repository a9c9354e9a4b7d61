import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process of the demo (`mlcache node`, `gateway` or `scorer`). Unlike `mlcache cluster`'s
 * detached members, these belong to the demo: it keeps their handles, sees them exit, and stops
 * them when it stops. Each runs in its own process group (so that Ctrl-C reaches the demo only,
 * which then stops them in order, gateway first), with stdout and stderr appended to a log file,
 * where the `listening` line is read from.
 */

const MLCACHE_BIN = join(import.meta.dirname, '../../../../bin/mlcache.js');

export interface DemoProcessOptions {
  /** Shown in messages: `gateway`, `node lru`, `scorer`. */
  readonly name: string;
  /** The mlcache subcommand and its arguments. */
  readonly args: readonly string[];
  readonly log: string;
  readonly timeoutMs: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class DemoProcess {
  readonly name: string;
  readonly log: string;
  readonly pid: number;
  /** Resolves when the process has exited, whatever the reason. */
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #child: ChildProcess;

  private constructor(options: DemoProcessOptions, child: ChildProcess) {
    this.name = options.name;
    this.log = options.log;
    this.#child = child;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /**
   * Starts a process and waits for its `{"event":"listening",...}` line (the ports it got).
   * Rejects, with the end of its log, when it exits first or does not listen in time.
   */
  static async start(
    options: DemoProcessOptions,
  ): Promise<{ process: DemoProcess; listening: Record<string, unknown> }> {
    const fd = openSync(options.log, 'w');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [MLCACHE_BIN, ...options.args], {
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const started = new DemoProcess(options, child);
    let failure: string | undefined;
    child.once('error', (error) => (failure = `could not be started: ${error.message}`));
    void started.exited.then((exit) => (failure ??= describeExit(exit)));
    const deadline = performance.now() + options.timeoutMs;
    for (;;) {
      const listening = findListening(readLog(options.log));
      if (listening !== undefined && typeof listening.pid === 'number') {
        return { process: started, listening };
      }
      if (failure === undefined && performance.now() > deadline) {
        failure = `did not listen within ${options.timeoutMs} ms`;
        started.kill('SIGKILL');
      }
      if (failure !== undefined) {
        throw new Error(
          `${options.name} ${failure}; the end of ${options.log}:\n${tail(options.log)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#exit !== undefined) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs: number): Promise<Exit> {
    this.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first === 'late') this.kill('SIGKILL');
    return this.exited;
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}

function findListening(text: string): Record<string, unknown> | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"event":"listening"')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A line still being written: read again on the next poll.
    }
  }
  return undefined;
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The last lines of a log, for error messages. */
export function tail(path: string, lines = 12): string {
  const all = readLog(path).trimEnd().split('\n');
  return all.slice(-lines).join('\n') || '(empty)';
}
