/**
 * Crash safety at the persistence level: a child process writes keys and prints each one once it
 * counts as safe, the test kills it with SIGKILL mid-stream, reopens the directory and checks that
 * every printed key is there with its value.
 *
 * - sync: a key is printed after its barrier settled (acknowledged to a client).
 * - async: a key is printed once `backlog` is 0, i.e. once it was handed to RocksDB; that is the
 *   promise of async mode for a process crash (a machine crash may also lose what the OS had not
 *   written to disk yet, which this test cannot produce).
 *
 * The child prints with a synchronous write(2) on fd 1, so a printed line is in the pipe before the
 * child goes on, and survives the kill. Either way only lines the test received count, so a lost
 * line could make the test weaker, never wrong.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openRocksPersistence } from '../../src/persistence/rocks-persistence.ts';
import { createSystemClock } from '../../src/util/clock.ts';

const source = (path: string): string =>
  pathToFileURL(join(import.meta.dirname, '../../src', path)).href;

const CHILD = `
import { openRocksPersistence } from '${source('persistence/rocks-persistence.ts')}';
import { createSystemClock } from '${source('util/clock.ts')}';
import { writeSync } from 'node:fs';

const [dir, durability, round, selfKillAt] = process.argv.slice(2);
const persistence = await openRocksPersistence({ dir, durability, clock: createSystemClock() });
await persistence.load(() => {});
let said = 0;
const say = (line) => {
  const bytes = Buffer.from(line + '\\n');
  for (let written = 0; written < bytes.length; ) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
  // The worst moment for a crash: right after an acknowledgement, in the same tick.
  if (++said === Number(selfKillAt)) process.kill(process.pid, 'SIGKILL');
};
const valueOf = (key) => Buffer.from(key + ':' + 'v'.repeat(50));
say('ready');
let next = 0;
if (durability === 'sync') {
  // 32 clients writing one key after another, as connections awaiting each reply would.
  const client = async () => {
    for (;;) {
      const key = round + ':' + next++;
      persistence.put(key, valueOf(key), 0);
      await persistence.barrier();
      say(key);
    }
  };
  for (let c = 0; c < 32; c++) void client();
} else {
  for (;;) {
    const first = next;
    for (let i = 0; i < 100; i++) {
      const key = round + ':' + next++;
      persistence.put(key, valueOf(key), 0);
    }
    while (persistence.backlog > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    for (let i = first; i < next; i++) say(round + ':' + i);
  }
}
`;

let root: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlcache-crash-'));
});

afterEach(async () => {
  // A failed test must not leave a writer running.
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/**
 * Runs the child until it has printed `target` keys and SIGKILLs it, from the test (a random
 * moment) or, with `self`, from inside the child right after its last acknowledgement. Returns
 * the keys it printed.
 */
async function writeAndKill(
  script: string,
  dir: string,
  durability: string,
  round: number,
  target: number,
  self: boolean,
): Promise<string[]> {
  const args = [script, dir, durability, String(round), String(self ? target + 1 : 0)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let text = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      if (!self && text.split('\n').length - 2 >= target) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (_code, signal) => {
      if (self && signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited early (${signal}):\n${text.slice(-500)}`));
    });
  });
  expect(await exited).toBe('SIGKILL');
  // Only complete lines count: a line cut by the kill was never fully acknowledged.
  const lines = text.split('\n').slice(0, -1);
  expect(lines[0]).toBe('ready');
  return lines.slice(1);
}

describe.each(['sync', 'async'])('a SIGKILLed writer in %s mode', (durability) => {
  it('loses no key it had reported safe', async () => {
    const script = join(root, 'writer.ts');
    await writeFile(script, CHILD);
    const dir = join(root, 'data');
    const acknowledged: string[] = [];
    // Several rounds on the same directory: each restart also recovers the previous crash.
    for (let round = 0; round < 4; round++) {
      const self = round % 2 === 1;
      acknowledged.push(
        ...(await writeAndKill(script, dir, durability, round, 2000 + round * 1000, self)),
      );
    }
    const persistence = await openRocksPersistence({
      dir,
      durability: 'sync',
      clock: createSystemClock(),
    });
    const found = new Map<string, string>();
    await persistence.load((entry) => found.set(entry.key, entry.value.toString()));
    await persistence.close();
    const missing = acknowledged.filter((key) => found.get(key) !== `${key}:${'v'.repeat(50)}`);
    expect(missing).toEqual([]);
    // The rounds the test killed printed at least their targets (2000 and 4000).
    expect(acknowledged.length).toBeGreaterThanOrEqual(2000 + 4000);
  });
});
