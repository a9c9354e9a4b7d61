import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('BITFIELD', () => {
  it('reads, sets and increments fields of any width at any bit offset', () => {
    const h = new CommandHarness();
    expect(
      h.run('BITFIELD', 'k', 'SET', 'u8', '0', '200', 'GET', 'i8', '0', 'GET', 'u4', '4'),
    ).toEqual([0, -56, 8]);
    expect(h.run('BITFIELD', 'k', 'SET', 'i5', '#3', '-7', 'GET', 'i5', '15')).toEqual([0, -7]);
    expect(h.run('BITFIELD', 'k', 'INCRBY', 'u8', '0', '100')).toEqual([44]);
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '1000')).toEqual([255]);
    expect(
      h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1', 'GET', 'u8', '0'),
    ).toEqual([null, 255]);
    expect(
      h.run(
        'BITFIELD',
        'k',
        'SET',
        'i64',
        '64',
        '-9223372036854775808',
        'INCRBY',
        'i64',
        '64',
        '-1',
      ),
    ).toEqual([0, 9223372036854775807n]);
    // A negative value set into an unsigned field is read as its 64-bit pattern, as in Redis.
    expect(
      h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'),
    ).toEqual([255, 255]);
  });

  it('parses every op before running one: a bad op changes nothing', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'a');
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '66', 'GET', 'u64', '0')).toEqual({
      error:
        'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
    });
    expect(h.run('GET', 'k')).toBe('a');
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'NOPE')).toEqual({
      error: 'ERR Invalid OVERFLOW type specified',
    });
    expect(h.run('BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1')).toEqual({
      error: 'ERR BITFIELD_RO only supports the GET subcommand',
    });
    expect(h.run('BITFIELD_RO', 'missing', 'GET', 'u8', '0')).toEqual([0]);
    expect(h.run('EXISTS', 'missing')).toBe(0);
  });

  it('wraps like two’s complement arithmetic and saturates at the type’s limits', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }),
        fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }),
        (signed, width, start, increment) => {
          const bits = signed ? width : Math.min(width, 63);
          const type = `${signed ? 'i' : 'u'}${bits}`;
          const h = new CommandHarness();
          const [, wrapped] = h.run(
            'BITFIELD',
            'k',
            'SET',
            type,
            '3',
            String(start),
            'INCRBY',
            type,
            '3',
            String(increment),
          ) as bigint[];
          const exact =
            (signed ? BigInt.asIntN(bits, start) : BigInt.asUintN(bits, start)) + increment;
          const expected = signed ? BigInt.asIntN(bits, exact) : BigInt.asUintN(bits, exact);
          expect(BigInt(wrapped as bigint | number)).toBe(expected);
          const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
          const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
          h.run('BITFIELD', 'k', 'SET', type, '3', '0');
          const [saturated] = h.run(
            'BITFIELD',
            'k',
            'OVERFLOW',
            'SAT',
            'INCRBY',
            type,
            '3',
            String(increment),
          ) as bigint[];
          const clamped = increment > max ? max : increment < min ? min : increment;
          expect(BigInt(saturated as bigint | number)).toBe(clamped);
        },
      ),
    );
  });
});
