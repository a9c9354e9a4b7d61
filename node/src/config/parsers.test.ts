import { describe, expect, it } from 'vitest';
import { bytes, oneOf, percent, port } from './parsers.ts';

describe('parsers', () => {
  it('parses ports in range only', () => {
    expect(port('0')).toEqual({ ok: true, value: 0 });
    expect(port('65535')).toEqual({ ok: true, value: 65535 });
    for (const bad of ['65536', '-1', '1.5', '', '80a']) expect(port(bad).ok, bad).toBe(false);
  });

  it('parses sizes with units and enforces the minimum', () => {
    expect(bytes(0)('100mb')).toEqual({ ok: true, value: 100 * 1024 * 1024 });
    expect(bytes(0)('1gib')).toEqual({ ok: true, value: 1024 ** 3 });
    expect(bytes(0)('2k')).toEqual({ ok: true, value: 2000 });
    expect(bytes(1)('0')).toEqual({ ok: false, problem: "'0' is below the minimum of 1 bytes" });
    expect(bytes(0)('1 parsec').ok).toBe(false);
  });

  it('parses percentages, with or without %, into shares', () => {
    expect(percent(50)('1')).toEqual({ ok: true, value: 0.01 });
    expect(percent(50)('2.5%')).toEqual({ ok: true, value: 0.025 });
    expect(percent(50)('0')).toEqual({ ok: true, value: 0 });
    expect(percent(50)('50%')).toEqual({ ok: true, value: 0.5 });
    expect(percent(50)('51')).toEqual({
      ok: false,
      problem: "'51' is not a percentage in [0, 50] (like 1 or 0.5%)",
    });
    for (const bad of ['-1', '', '%', '1%%', 'one', '0.5.5'])
      expect(percent(50)(bad).ok, bad).toBe(false);
  });

  it('parses choices case-sensitively', () => {
    expect(oneOf(['a', 'b'])('b')).toEqual({ ok: true, value: 'b' });
    expect(oneOf(['a', 'b'])('B')).toEqual({ ok: false, problem: "'B' is not one of a, b" });
  });
});
