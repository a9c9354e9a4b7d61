import { describe, expect, it } from 'vitest';
import type { NodePool } from '../upstream/node-pool.ts';
import { allOk, andIntegerArrays, sameReply } from './broadcast.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const text = (reply: Buffer): string => reply.toString('latin1');
const NO_POOLS: readonly NodePool[] = [];
const SHA = '$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n';
const UNEXPECTED = '-ERR unexpected reply from a node\r\n';

describe('sameReply (SCRIPT LOAD)', () => {
  it("answers the SHA every node gave, else the first node's error", () => {
    expect(text(sameReply([b(SHA), b(SHA), b(SHA)], NO_POOLS))).toBe(SHA);
    const error = '-ERR Error compiling script\r\n';
    const down = '-CLUSTERDOWN node node-2 (127.0.0.1:1) is unreachable (ECONNREFUSED)\r\n';
    expect(text(sameReply([b(SHA), b(error), b(down)], NO_POOLS))).toBe(error);
    expect(text(sameReply([b(SHA), b(down)], NO_POOLS))).toBe(down);
  });

  it('refuses answers that disagree rather than pick one', () => {
    expect(text(sameReply([b(SHA), b('$1\r\nx\r\n')], NO_POOLS))).toBe(UNEXPECTED);
  });
});

describe('andIntegerArrays (SCRIPT EXISTS)', () => {
  it('says 1 for a SHA only when every node has it', () => {
    const replies = [b('*3\r\n:1\r\n:0\r\n:1\r\n'), b('*3\r\n:1\r\n:1\r\n:0\r\n')];
    expect(text(andIntegerArrays(replies, NO_POOLS))).toBe('*3\r\n:1\r\n:0\r\n:0\r\n');
    expect(text(andIntegerArrays([b('*1\r\n:1\r\n')], NO_POOLS))).toBe('*1\r\n:1\r\n');
  });

  it("fails on any node's error, and on replies that are not integer arrays of one length", () => {
    const down = '-CLUSTERDOWN node node-1 (127.0.0.1:1) is unreachable (ECONNREFUSED)\r\n';
    expect(text(andIntegerArrays([b('*1\r\n:1\r\n'), b(down)], NO_POOLS))).toBe(down);
    expect(text(andIntegerArrays([b('*1\r\n:1\r\n'), b('*2\r\n:1\r\n:1\r\n')], NO_POOLS))).toBe(
      UNEXPECTED,
    );
    expect(text(andIntegerArrays([b('*1\r\n$1\r\n1\r\n')], NO_POOLS))).toBe(UNEXPECTED);
    expect(text(andIntegerArrays([b('+OK\r\n')], NO_POOLS))).toBe(UNEXPECTED);
  });
});

describe('allOk (SCRIPT FLUSH, FLUSHALL)', () => {
  it("answers OK when every node did, else the first node's reply", () => {
    expect(text(allOk([b('+OK\r\n'), b('+OK\r\n')], NO_POOLS))).toBe('+OK\r\n');
    const error = '-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n';
    expect(text(allOk([b('+OK\r\n'), b(error)], NO_POOLS))).toBe(error);
  });
});
