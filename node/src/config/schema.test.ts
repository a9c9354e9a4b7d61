import { describe, expect, it } from 'vitest';
import { OPTIONS } from './schema.ts';

describe('OPTIONS', () => {
  it('has unique keys, flags, aliases and environment variables', () => {
    const names = OPTIONS.flatMap((spec) => [spec.flag, ...spec.aliases]);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(OPTIONS.map((spec) => spec.key)).size).toBe(OPTIONS.length);
    expect(new Set(OPTIONS.map((spec) => spec.env)).size).toBe(OPTIONS.length);
  });

  it('accepts every default it documents', () => {
    for (const spec of OPTIONS)
      expect(spec.parse(spec.defaultText), spec.flag).toMatchObject({ ok: true });
  });
});
