import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

// The dependency rule of docs/architecture.md is enforced by eslint zones. These tests lint small
// files placed inside the real folders, so they fail if a zone is dropped or loosened.
const root = join(import.meta.dirname, '..');
const scratch: string[] = [];

function lintIn(folder: string, source: string): Promise<ESLint.LintResult[]> {
  const dir = mkdtempSync(join(root, folder, 'zz-rule-'));
  scratch.push(dir);
  const file = join(dir, 'probe.ts');
  writeFileSync(file, source);
  const eslint = new ESLint({ cwd: root });
  return eslint.lintFiles([file]);
}

function ruleIds(results: ESLint.LintResult[]): string[] {
  return results.flatMap((result) => result.messages.map((message) => message.ruleId ?? ''));
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('dependency rule', { timeout: 60_000 }, () => {
  it('forbids a pure policy from importing the store', async () => {
    const results = await lintIn(
      'node/src/policy',
      "import type { CacheStore } from '../../core/store-types.ts';\nexport type X = CacheStore;\n",
    );
    expect(ruleIds(results)).toContain('import-x/no-restricted-paths');
  });

  it('forbids the node from importing the CLI or the scorer', async () => {
    const results = await lintIn(
      'node/src/core',
      "import type { Subcommand } from '../../../../cli/main.ts';\nexport type X = Subcommand;\n",
    );
    expect(ruleIds(results)).toContain('import-x/no-restricted-paths');
  });

  it('lets the store import policies and util', async () => {
    const results = await lintIn(
      'node/src/core',
      "import type { Clock } from '../../util/clock.ts';\nimport type { EvictionPolicy } from '../../policy/eviction-policy.ts';\nexport type X = [Clock, EvictionPolicy];\n",
    );
    expect(ruleIds(results)).not.toContain('import-x/no-restricted-paths');
  });
});
