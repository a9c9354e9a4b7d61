import { describe, expect, it } from 'vitest';
import { helpText } from './help.ts';
import { OPTIONS } from './schema.ts';

describe('helpText', () => {
  it('shows every option with its environment variable and default', () => {
    const help = helpText();
    for (const spec of OPTIONS) {
      expect(help).toMatch(new RegExp(`--${spec.flag}(, --\\w+)* ${spec.valueName}`));
      expect(help).toContain(spec.env);
    }
    expect(help).toContain('--bind, --host ADDR');
    expect(help).toContain('(MLCACHE_PORT, default 6379)');
    expect(help).toContain('(MLCACHE_MAXMEMORY, default 0)');
  });
});
