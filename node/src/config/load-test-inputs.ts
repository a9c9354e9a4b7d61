/**
 * Test helpers for the config loader (load.test.ts, ml-flags.test.ts): loader inputs over an
 * in-memory file system, and the two outcomes unwrapped.
 */
import type { LoadInputs, LoadResult } from './load.ts';
import type { NodeConfig } from './node-config.ts';

/** Inputs with no flags, no environment and host name `pod-0`; `files` are the readable files. */
export function loadInputs(
  overrides: Partial<LoadInputs> = {},
  files: Record<string, string> = {},
): LoadInputs {
  return {
    argv: [],
    env: {},
    hostname: 'pod-0',
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return content;
    },
    ...overrides,
  };
}

/** The configuration loaded; throws if the result is not one. */
export function config(result: LoadResult): NodeConfig {
  if (result.kind !== 'config') throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

/** The problems found; throws if the result is not invalid. */
export function problems(result: LoadResult): readonly string[] {
  if (result.kind !== 'invalid') throw new Error(`expected problems, got ${result.kind}`);
  return result.problems;
}
