import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';
import { byteRange } from './string-ranges.ts';

describe('GETRANGE, SUBSTR and SETRANGE', () => {
  it('GETRANGE reads an inclusive range, negative indices from the end, missing keys as ""', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'hello');
    expect(h.run('GETRANGE', 'k', '0', '-1')).toBe('hello');
    expect(h.run('GETRANGE', 'k', '1', '3')).toBe('ell');
    expect(h.run('GETRANGE', 'k', '-3', '-1')).toBe('llo');
    expect(h.run('SUBSTR', 'k', '-100', '100')).toBe('hello');
    expect(h.run('GETRANGE', 'k', '3', '1')).toBe('');
    expect(h.run('GETRANGE', 'missing', '0', '-1')).toBe('');
    expect(h.run('GETRANGE', 'k', '0', 'x')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
  });

  it('keeps every range inside the string', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.nat(1000),
        (start, end, length) => {
          const [from, to] = byteRange(start, end, length);
          expect(0 <= from && from <= to && to <= length).toBe(true);
          if (start >= 0 && start <= end && end < length)
            expect([from, to]).toEqual([start, end + 1]);
        },
      ),
    );
  });

  it('SETRANGE overwrites at an offset, pads with zero bytes and keeps the TTL', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'hello', 'EX', '100');
    expect(h.run('SETRANGE', 'k', '7', 'ab')).toBe(9);
    expect(h.run('GET', 'k')).toBe('hello\0\0ab');
    expect(h.run('SETRANGE', 'k', '0', 'J')).toBe(9);
    expect(h.run('GET', 'k')).toBe('Jello\0\0ab');
    expect(h.run('TTL', 'k')).toBe(100);
    expect(h.run('SETRANGE', 'k', '3', '')).toBe(9);
    expect(h.run('SETRANGE', 'new', '0', '')).toBe(0);
    expect(h.run('EXISTS', 'new')).toBe(0);
    expect(h.run('SETRANGE', 'k', '-1', 'x')).toEqual({ error: 'ERR offset is out of range' });
  });

  it('refuses a result over the maximum value size and leaves the key as it was', () => {
    const h = new CommandHarness({ maxValueSize: 8 });
    h.run('SET', 'k', 'abc');
    expect(h.run('SETRANGE', 'k', '6', 'xyz')).toEqual({
      error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    });
    expect(h.run('SETRANGE', 'k', '5', 'xyz')).toBe(8);
    expect(h.run('STRLEN', 'k')).toBe(8);
  });
});
