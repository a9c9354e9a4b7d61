import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is ml-scorer/test/traces.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared trace folder: MLCACHE_TRACES, else ../shared/traces beside the repository. Tests
 * that need real traces skip, saying so, when it is absent (a clone on its own has none).
 */
export const TRACES = process.env.MLCACHE_TRACES ?? join(REPO_ROOT, '..', 'shared', 'traces');
export const HAVE_TRACES = existsSync(join(TRACES, 'csv'));
export const NO_TRACES_MESSAGE = `skipped: no traces at ${TRACES} (set MLCACHE_TRACES to the folder holding csv/ and original/)`;
