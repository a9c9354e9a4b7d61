import { describe, expect, it } from 'vitest';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { SlowLog } from './slow-log.ts';

const args = (...words: (string | Buffer)[]): CommandArgs =>
  CommandArgs.fromBuffers(words.map((word) => Buffer.from(word)));

const text = (log: SlowLog, count = -1): string[][] =>
  log.newest(count).map((entry) => entry.args.map((arg) => arg.toString('latin1')));

describe('SlowLog', () => {
  it('logs commands at or above the threshold, newest first, with their client', () => {
    const log = new SlowLog();
    log.slowerThanUs = 100;
    log.record(args('GET', 'a'), 99, 1_700_000_000, '127.0.0.1:5000', '');
    log.record(args('GET', 'b'), 100, 1_700_000_001, '127.0.0.1:5000', 'worker');
    log.record(args('GET', 'c'), 250, 1_700_000_002, '10.0.0.2:6000', '');
    expect(log.length).toBe(2);
    expect(log.newest(-1)).toEqual([
      {
        id: 1,
        time: 1_700_000_002,
        durationUs: 250,
        args: [Buffer.from('GET'), Buffer.from('c')],
        client: '10.0.0.2:6000',
        clientName: '',
      },
      {
        id: 0,
        time: 1_700_000_001,
        durationUs: 100,
        args: [Buffer.from('GET'), Buffer.from('b')],
        client: '127.0.0.1:5000',
        clientName: 'worker',
      },
    ]);
    expect(text(log, 1)).toEqual([['GET', 'c']]);
    expect(text(log, 0)).toEqual([]);
  });

  it('logs nothing when the threshold is negative or the length 0, everything at 0', () => {
    const log = new SlowLog();
    log.slowerThanUs = -1;
    log.record(args('PING'), 1_000_000, 0, '', '');
    expect(log.length).toBe(0);
    log.slowerThanUs = 0;
    log.maxLen = 0;
    log.record(args('PING'), 5, 0, '', '');
    expect(log.length).toBe(0);
    log.maxLen = 128;
    log.record(args('PING'), 0, 0, '', '');
    expect(text(log)).toEqual([['PING']]);
  });

  it('keeps at most maxLen entries, trimming the oldest when the next one is logged', () => {
    const log = new SlowLog();
    log.slowerThanUs = 0;
    log.maxLen = 3;
    for (let i = 0; i < 200; i++) log.record(args('INCR', `k${i}`), 1, 0, '', '');
    expect(text(log)).toEqual([
      ['INCR', 'k199'],
      ['INCR', 'k198'],
      ['INCR', 'k197'],
    ]);
    expect(log.newest(1)[0]?.id).toBe(199);
    // Lowered: the length shows the old entries until the next one is logged, as in Redis.
    log.maxLen = 1;
    expect(log.length).toBe(3);
    log.record(args('INCR', 'last'), 1, 0, '', '');
    expect(text(log)).toEqual([['INCR', 'last']]);
  });

  it('empties on reset and keeps counting ids', () => {
    const log = new SlowLog();
    log.slowerThanUs = 0;
    log.record(args('A'), 1, 0, '', '');
    log.record(args('B'), 1, 0, '', '');
    log.reset();
    expect(log.length).toBe(0);
    expect(log.newest(10)).toEqual([]);
    log.record(args('C'), 1, 0, '', '');
    expect(log.newest(1)[0]?.id).toBe(2);
  });

  it('keeps 32 arguments at most, the last saying how many more there were', () => {
    const log = new SlowLog();
    log.slowerThanUs = 0;
    const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
    log.record(args('MSET', ...many), 1, 0, '', '');
    const kept = text(log)[0]!;
    expect(kept).toHaveLength(32);
    expect(kept.slice(0, 3)).toEqual(['MSET', 'a0', 'a1']);
    expect(kept[30]).toBe('a29');
    expect(kept[31]).toBe('... (10 more arguments)');
    // Exactly 32 are kept whole.
    log.record(args('MSET', ...many.slice(0, 31)), 1, 0, '', '');
    expect(text(log, 1)[0]).toEqual(['MSET', ...many.slice(0, 31)]);
  });

  it('cuts arguments longer than 128 bytes, binary ones included, and copies what it keeps', () => {
    const log = new SlowLog();
    log.slowerThanUs = 0;
    const long = Buffer.alloc(300, 0xff);
    const exact = Buffer.alloc(128, 0x61);
    const request = args('SET', long, exact);
    log.record(request, 1, 0, '', '');
    request.buffer.fill(0);
    const [, cut, whole] = log.newest(1)[0]!.args;
    expect(cut).toEqual(
      Buffer.concat([Buffer.alloc(128, 0xff), Buffer.from('... (172 more bytes)')]),
    );
    expect(whole).toEqual(Buffer.alloc(128, 0x61));
  });
});
