/**
 * Undoing what an integration test set up (processes, clients, temporary directories), after
 * each test and in reverse order, whether the test passed or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach } from 'vitest';

/** Runs `cleanup` functions in reverse order; tests push to it. */
export class Cleanups {
  readonly #list: (() => unknown)[] = [];
  add(cleanup: () => unknown): void {
    this.#list.push(cleanup);
  }
  async run(): Promise<void> {
    for (const cleanup of this.#list.splice(0).reverse()) await cleanup();
  }
}

/** A `Cleanups` run after each test; call it at the top level of a test file. */
export function cleanupsAfterEach(): Cleanups {
  const cleanups = new Cleanups();
  afterEach(() => cleanups.run());
  return cleanups;
}

/** A new temporary directory `mlcache-<name>-…`, removed by `cleanups`. */
export function tempDir(cleanups: Cleanups, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mlcache-${name}-`));
  cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
