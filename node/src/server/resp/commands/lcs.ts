import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';
import { readKey } from './read-value.ts';

const EMPTY = Buffer.alloc(0);
const BOTH = 'ERR If you want both the length and indexes, please just use IDX.';
const TABLE_TOO_LARGE =
  'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of two
 * strings, by Redis 7.0's dynamic programme and walk back, so that the subsequence and the match
 * ranges chosen among equally long ones are Redis's. Missing keys are empty strings. The table
 * takes 4 bytes per pair of positions, refused past the largest value, as in Redis.
 */
export const LCS_COMMAND: CommandSpec = {
  name: 'lcs',
  arity: -3,
  flags: ['readonly'],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  group: 'string',
  summary: 'Finds the longest common substring.',
  since: '7.0.0',
  handler: lcs,
};

function lcs(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const a = readKey(session, args.latin1(1)) ?? EMPTY;
  const b = readKey(session, args.latin1(2)) ?? EMPTY;
  let wantLength = false;
  let wantIndexes = false;
  let withMatchLength = false;
  let minMatchLength = 0;
  for (let at = 3; at < args.count; at++) {
    if (args.is(at, 'idx')) wantIndexes = true;
    else if (args.is(at, 'len')) wantLength = true;
    else if (args.is(at, 'withmatchlen')) withMatchLength = true;
    else if (args.is(at, 'minmatchlen') && at + 1 < args.count) {
      const value = args.integer(at + 1);
      if (Number.isNaN(value)) return out.error(ERRORS.NOT_INTEGER);
      minMatchLength = Math.max(0, value);
      at++;
    } else {
      return out.error(ERRORS.SYNTAX);
    }
  }
  if (wantIndexes && wantLength) return out.error(BOTH);
  const width = b.length + 1;
  if ((a.length + 1) * width * 4 > session.server.settings.maxValueSize) {
    return out.error(TABLE_TOO_LARGE);
  }
  // table[i * width + j]: the LCS length of a[0, i) and b[0, j).
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] =
        a[i - 1] === b[j - 1]
          ? (table[(i - 1) * width + j - 1] as number) + 1
          : Math.max(table[(i - 1) * width + j] as number, table[i * width + j - 1] as number);
    }
  }
  const total = table[a.length * width + b.length] as number;
  if (wantLength) return out.integer(total);
  const result = Buffer.alloc(total);
  const ranges: number[][] = [];
  // Redis's walk back from the end: a match extends the current range while both sides stay
  // contiguous; a range is emitted when it breaks or reaches the start of either string.
  let index = total;
  let i = a.length;
  let j = b.length;
  let aStart = a.length;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[index - 1] = a[i - 1] as number;
      if (aStart === a.length) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      index--;
      i--;
      j--;
    } else {
      if ((table[(i - 1) * width + j] as number) > (table[i * width + j - 1] as number)) i--;
      else j--;
      if (aStart !== a.length) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (minMatchLength === 0 || matchLength >= minMatchLength) {
        ranges.push(
          withMatchLength
            ? [aStart, aEnd, bStart, bEnd, matchLength]
            : [aStart, aEnd, bStart, bEnd],
        );
      }
      aStart = a.length;
    }
  }
  if (!wantIndexes) return out.bulk(result);
  out.mapHeader(2);
  out.bulkLatin1('matches');
  out.arrayHeader(ranges.length);
  for (const [fromA, toA, fromB, toB, length] of ranges) {
    out.arrayHeader(length === undefined ? 2 : 3);
    out.arrayHeader(2);
    out.integer(fromA as number);
    out.integer(toA as number);
    out.arrayHeader(2);
    out.integer(fromB as number);
    out.integer(toB as number);
    if (length !== undefined) out.integer(length);
  }
  out.bulkLatin1('len');
  out.integer(total);
}
