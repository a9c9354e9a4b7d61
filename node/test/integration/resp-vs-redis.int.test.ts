import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { parseReply } from '../../src/protocol/resp/reply-parser.ts';
import type { RespReply } from '../../src/protocol/resp/reply-parser.ts';

import { RawClient, startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { SCRIPTING_RESP3_STEPS, SCRIPTING_STEPS } from './scripting-cases.ts';
import {
  receivedFrames,
  redisServerAvailable,
  splitFrames,
  startReferenceRedis,
} from './support/reference-redis.ts';
import type { ReferenceRedis } from './support/reference-redis.ts';

/**
 * Differential test: the same commands, pipelined on one connection, against a real redis-server
 * and against mlcache; the reply bytes must be identical. Covers the exact wording of errors and
 * the edge cases of option parsing. Skipped when redis-server is not installed.
 */
/** `prefix` followed by each number in [from, to): many distinct elements for PFADD. */
const numbered = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

const SCRIPT: readonly (readonly string[])[] = [
  ['PING'],
  ['PING', 'hello'],
  ['PING', 'a', 'b'],
  ['ECHO', 'x y'],
  ['ECHO'],
  ['SET', 'k', 'v'],
  ['GET', 'k'],
  ['GET', 'missing'],
  ['GET'],
  ['GET', 'a', 'b'],
  ['SET', 'k', 'v2', 'XX', 'GET'],
  ['SET', 'k', 'v3', 'NX'],
  ['SET', 'k', 'v3', 'NX', 'GET'],
  ['SET', 'n', 'v', 'XX'],
  ['SET', 'k', 'v', 'NX', 'XX'],
  ['SET', 'k', 'v', 'EX'],
  ['SET', 'k', 'v', 'EX', 'ten'],
  ['SET', 'k', 'v', 'EX', '0'],
  ['SET', 'k', 'v', 'PX', '-1'],
  ['SET', 'k', 'v', 'EX', '1', 'PX', '1'],
  ['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'],
  ['SET', 'k', 'v', 'EX', '9223372036854775807'],
  ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
  ['SET', 'k', 'v', 'BOGUS'],
  ['SET', 'k', 'v', 'PERSIST'],
  ['SET', 'k', 'v', 'ex', '100', 'ex', '200'],
  ['TTL', 'k'],
  ['SET', 'k', 'v', 'KEEPTTL'],
  ['TTL', 'k'],
  ['PTTL', 'missing'],
  ['TTL', 'missing'],
  ['GETDEL', 'k'],
  ['GETDEL', 'k'],
  ['SET', 'k', 'v'],
  ['GETEX', 'k'],
  ['GETEX', 'k', 'EX', '100'],
  ['TTL', 'k'],
  ['GETEX', 'k', 'PERSIST'],
  ['TTL', 'k'],
  ['GETEX', 'k', 'EX', '0'],
  ['GETEX', 'k', 'NX'],
  ['GETEX', 'k', 'PERSIST', 'EX', '1'],
  ['GETEX', 'k', 'PXAT', '1'],
  ['EXISTS', 'k'],
  ['GETEX', 'missing', 'EX', '10'],
  ['SETEX', 'sx', '100', 'v'],
  ['TTL', 'sx'],
  ['SETEX', 'sx', '0', 'v'],
  ['SETEX', 'sx', '-5', 'v'],
  ['SETEX', 'sx', 'ten', 'v'],
  ['SETEX', 'sx', '9223372036854775807', 'v'],
  ['SETEX', 'sx', '100'],
  ['SETEX', 'sx', '100', 'v', 'extra'],
  ['GET', 'sx'],
  // TTL, not PTTL: a millisecond may pass between the two commands on a loaded machine.
  ['PSETEX', 'px', '100000', 'v'],
  ['TTL', 'px'],
  ['PSETEX', 'px', '0', 'v'],
  ['PSETEX', 'px', '1.5', 'v'],
  ['PSETEX', 'px', '9223372036854775807', 'v'],
  ['SETNX', 'nx', 'a'],
  ['SETNX', 'nx', 'b'],
  ['GET', 'nx'],
  ['SETNX', 'nx'],
  ['GETSET', 'sx', 'w'],
  ['TTL', 'sx'],
  ['GETSET', 'gsnew', 'w'],
  ['GETSET', 'gsnew'],
  ['DEL', 'sx', 'px', 'nx', 'gsnew'],
  ['SET', 'et', 'v'],
  ['EXPIRETIME', 'et'],
  ['PEXPIRETIME', 'et'],
  ['EXPIRETIME', 'missing'],
  ['PEXPIREAT', 'et', '4102444800623'],
  ['EXPIRETIME', 'et'],
  ['PEXPIRETIME', 'et'],
  ['EXPIREAT', 'et', '4102444801'],
  ['EXPIRETIME', 'et'],
  ['EXPIRETIME'],
  ['TOUCH', 'et', 'missing', 'et'],
  ['TOUCH'],
  ['TIME', 'extra'],
  ['DEL', 'et'],
  ['MSET', 'oi', '123', 'on', '-5', 'oz', '007', 'ob', '12345678901234567890', 'oe', 'x'],
  ['SET', 'or', 'y'.repeat(45)],
  ['SET', 'os', 'y'.repeat(44)],
  ['OBJECT', 'ENCODING', 'oi'],
  ['OBJECT', 'ENCODING', 'on'],
  ['OBJECT', 'ENCODING', 'oz'],
  ['OBJECT', 'ENCODING', 'ob'],
  ['OBJECT', 'ENCODING', 'oe'],
  ['OBJECT', 'ENCODING', 'or'],
  ['OBJECT', 'ENCODING', 'os'],
  ['OBJECT', 'ENCODING', 'missing'],
  ['OBJECT', 'REFCOUNT', 'oi'],
  ['OBJECT', 'REFCOUNT', 'ob'],
  ['OBJECT', 'REFCOUNT', 'missing'],
  ['OBJECT', 'FREQ', 'oi'],
  ['OBJECT', 'FREQ', 'missing'],
  ['OBJECT', 'IDLETIME', 'missing'],
  ['OBJECT', 'IDLETIME', 'oi'],
  ['OBJECT', 'FREQ'],
  ['OBJECT', 'NOPE', 'oi'],
  ['OBJECT'],
  ['DEL', 'oi', 'on', 'oz', 'ob', 'oe', 'or', 'os'],
  ['MEMORY', 'USAGE', 'missing'],
  ['MEMORY', 'USAGE', 'missing', 'SAMPLES', '0'],
  ['MEMORY', 'USAGE', 'missing', 'SAMPLES', '-1'],
  ['MEMORY', 'USAGE', 'missing', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'missing', 'SAMPLES'],
  ['MEMORY', 'USAGE', 'missing', 'BOGUS'],
  ['MEMORY', 'USAGE'],
  ['MEMORY', 'NOPE'],
  ['SET', 'onlykey', 'v'],
  ['KEYS', 'only*'],
  ['KEYS', 'nomatch*'],
  ['KEYS', 'o[n]lyke?'],
  ['KEYS'],
  ['KEYS', 'a', 'b'],
  ['DEL', 'onlykey'],
  ['SET', 'rs', 'hello'],
  ['GETRANGE', 'rs', '0', '-1'],
  ['GETRANGE', 'rs', '1', '3'],
  ['GETRANGE', 'rs', '-3', '-1'],
  ['GETRANGE', 'rs', '3', '1'],
  ['GETRANGE', 'rs', '-100', '100'],
  ['GETRANGE', 'rs', '10', '20'],
  ['GETRANGE', 'rs', '-1', '-5'],
  ['GETRANGE', 'rs', '4', '-1'],
  ['GETRANGE', 'rs', '0', 'x'],
  ['GETRANGE', 'rs', '0', '9223372036854775807'],
  ['GETRANGE', 'rs', '-9223372036854775808', '-1'],
  ['GETRANGE', 'missing', '0', '-1'],
  ['SUBSTR', 'rs', '0', '1'],
  ['SETRANGE', 'rs', '-1', 'x'],
  ['SETRANGE', 'rs', 'x', 'x'],
  ['SETRANGE', 'missing', '0', ''],
  ['EXISTS', 'missing'],
  ['SETRANGE', 'rs', '7', 'ab'],
  ['GET', 'rs'],
  ['SETRANGE', 'rs', '0', 'x'],
  ['SETRANGE', 'rs', '3', ''],
  ['GET', 'rs'],
  ['SETRANGE', 'rn', '2', 'ab'],
  ['GET', 'rn'],
  ['SETRANGE', 'rs', '536870912', 'x'],
  ['EXPIRE', 'rs', '100'],
  ['SETRANGE', 'rs', '0', 'y'],
  ['TTL', 'rs'],
  ['SETBIT', 'bm', '7', '1'],
  ['SETBIT', 'bm', '7', '1'],
  ['SETBIT', 'bm', '7', '0'],
  ['SETBIT', 'bm', '100', '1'],
  ['GET', 'bm'],
  ['STRLEN', 'bm'],
  ['SETBIT', 'bm', '-1', '1'],
  ['SETBIT', 'bm', 'x', '1'],
  ['SETBIT', 'bm', '1', '2'],
  ['SETBIT', 'bm', '1', '-1'],
  ['SETBIT', 'bm', '1', 'x'],
  ['SETBIT', 'bm', '1', ''],
  ['SETBIT', 'bm', '4294967296', '1'],
  ['SETBIT', 'bm', '4294967295', 'x'],
  ['SETBIT', 'bm', '-0', '1'],
  ['SETBIT', 'bm', '+1', '1'],
  ['EXPIRE', 'bm', '100'],
  ['SETBIT', 'bm', '3', '1'],
  ['TTL', 'bm'],
  ['GETBIT', 'bm', '3'],
  ['GETBIT', 'bm', '4'],
  ['GETBIT', 'bm', '100'],
  ['GETBIT', 'bm', '1000000'],
  ['GETBIT', 'missing', '3'],
  ['GETBIT', 'bm', '-1'],
  ['GETBIT', 'bm', '4294967296'],
  ['GETBIT', 'bm', '4294967295'],
  ['SET', 'bs', 'foobar'],
  ['BITCOUNT', 'bs'],
  ['BITCOUNT', 'bs', '0', '0'],
  ['BITCOUNT', 'bs', '1', '1'],
  ['BITCOUNT', 'bs', '1', '1', 'BYTE'],
  ['BITCOUNT', 'bs', '5', '30', 'BIT'],
  ['BITCOUNT', 'bs', '5', '30', 'bit'],
  ['BITCOUNT', 'bs', '-1', '-1'],
  ['BITCOUNT', 'bs', '-5', '-1', 'BIT'],
  ['BITCOUNT', 'bs', '-1', '-5'],
  ['BITCOUNT', 'bs', '-1', '-5', 'BOGUS'],
  ['BITCOUNT', 'bs', '0', '-1', 'BOGUS'],
  ['BITCOUNT', 'bs', '0'],
  ['BITCOUNT', 'bs', '0', '1', 'BIT', 'x'],
  ['BITCOUNT', 'bs', 'x', '1'],
  ['BITCOUNT', 'bs', '0', 'x'],
  ['BITCOUNT', 'bs', '3', '1'],
  ['BITCOUNT', 'bs', '0', '1000'],
  ['BITCOUNT', 'bs', '-1000', '1000', 'BIT'],
  ['BITCOUNT', 'missing'],
  ['BITCOUNT', 'missing', '0'],
  ['BITCOUNT', 'missing', 'x', 'y', 'z'],
  ['BITCOUNT'],
  ['BITCOUNT', 'bs', '7', '7', 'BIT'],
  ['BITCOUNT', 'bs', '1', '6', 'BIT'],
  ['BITCOUNT', 'bs', '9', '9', 'BIT'],
  // bp = ff f0 00, set bit by bit (a string argument would travel as UTF-8).
  ['SETBIT', 'bp', '23', '0'],
  ['SETBIT', 'bp', '0', '1'],
  ['SETBIT', 'bp', '1', '1'],
  ['SETBIT', 'bp', '2', '1'],
  ['SETBIT', 'bp', '3', '1'],
  ['SETBIT', 'bp', '4', '1'],
  ['SETBIT', 'bp', '5', '1'],
  ['SETBIT', 'bp', '6', '1'],
  ['SETBIT', 'bp', '7', '1'],
  ['SETBIT', 'bp', '8', '1'],
  ['SETBIT', 'bp', '9', '1'],
  ['SETBIT', 'bp', '10', '1'],
  ['SETBIT', 'bp', '11', '1'],
  ['BITPOS', 'bp', '0'],
  ['BITPOS', 'bp', '1'],
  ['BITPOS', 'bp', '0', '1'],
  ['BITPOS', 'bp', '1', '2'],
  ['BITPOS', 'bp', '0', '0', '0'],
  ['BITPOS', 'bp', '1', '2', '-1'],
  ['BITPOS', 'bp', '0', '0', '-1', 'BIT'],
  ['BITPOS', 'bp', '1', '7', '15', 'BIT'],
  ['BITPOS', 'bp', '0', '7', '11', 'BIT'],
  ['BITPOS', 'bp', '1', '13', '15', 'BIT'],
  ['BITPOS', 'bp', '0', '2', '1'],
  ['BITPOS', 'bp', '2'],
  ['BITPOS', 'bp', 'x'],
  ['BITPOS', 'bp', '-1'],
  ['BITPOS', 'bp', '0', 'x'],
  ['BITPOS', 'bp', '0', '0', 'x'],
  ['BITPOS', 'bp', '0', '0', '1', 'BOGUS'],
  ['BITPOS', 'bp', '0', 'x', '1', 'BOGUS'],
  ['BITPOS', 'bp', '0', '0', '1', 'BIT', 'x'],
  ['BITPOS', 'missing', '0'],
  ['BITPOS', 'missing', '1'],
  ['BITPOS', 'missing', '0', 'x'],
  ['BITPOS', 'missing', '2'],
  ['SETBIT', 'zeros', '15', '0'],
  ['BITOP', 'NOT', 'ones', 'zeros'],
  ['BITPOS', 'ones', '0'],
  ['BITPOS', 'ones', '0', '1'],
  ['BITPOS', 'ones', '0', '0', '-1'],
  ['BITPOS', 'ones', '0', '-1'],
  ['BITPOS', 'ones', '0', '100'],
  ['SET', 'empty', ''],
  ['BITPOS', 'empty', '0'],
  ['BITPOS', 'empty', '1'],
  ['BITCOUNT', 'empty'],
  ['GETBIT', 'empty', '0'],
  // ba = 0f f0, bb = ff.
  ['SETBIT', 'ba', '15', '0'],
  ['SETBIT', 'ba', '4', '1'],
  ['SETBIT', 'ba', '5', '1'],
  ['SETBIT', 'ba', '6', '1'],
  ['SETBIT', 'ba', '7', '1'],
  ['SETBIT', 'ba', '8', '1'],
  ['SETBIT', 'ba', '9', '1'],
  ['SETBIT', 'ba', '10', '1'],
  ['SETBIT', 'ba', '11', '1'],
  ['SETBIT', 'bz', '7', '0'],
  ['BITOP', 'NOT', 'bb', 'bz'],
  ['BITOP', 'AND', 'bd', 'ba', 'bb'],
  ['GET', 'bd'],
  ['BITOP', 'or', 'bd', 'ba', 'bb'],
  ['GET', 'bd'],
  ['BITOP', 'XOR', 'bd', 'ba', 'bb', 'missing'],
  ['GET', 'bd'],
  ['BITOP', 'NOT', 'bd', 'ba'],
  ['GET', 'bd'],
  ['BITOP', 'NOT', 'bd', 'ba', 'bb'],
  ['BITOP', 'BOGUS', 'bd', 'ba'],
  ['BITOP', 'AND', 'bd'],
  ['EXPIRE', 'bd', '100'],
  ['BITOP', 'AND', 'bd', 'ba'],
  ['TTL', 'bd'],
  ['BITOP', 'AND', 'bd', 'missing', 'missing2'],
  ['EXISTS', 'bd'],
  ['BITOP', 'OR', 'bd', 'missing', 'ba'],
  ['GET', 'bd'],
  ['BITOP', 'AND', 'bd', 'missing', 'ba'],
  ['GET', 'bd'],
  ['BITFIELD', 'bf'],
  ['EXISTS', 'bf'],
  ['BITFIELD', 'bf', 'GET', 'u8', '0'],
  ['EXISTS', 'bf'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', '200', 'GET', 'u8', '0', 'GET', 'i8', '0', 'GET', 'u4', '4'],
  ['GET', 'bf'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '100'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '100'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1', 'GET', 'u8', '0'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '-1', 'INCRBY', 'u8', '0', '-1000'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '-1000'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '-1'],
  ['BITFIELD', 'bf', 'SET', 'i8', '8', '200', 'SET', 'i8', '8', '-129', 'GET', 'i8', '8'],
  [
    'BITFIELD',
    'bf',
    'OVERFLOW',
    'SAT',
    'SET',
    'i8',
    '8',
    '200',
    'SET',
    'i8',
    '16',
    '-200',
    'GET',
    'i8',
    '8',
    'GET',
    'i8',
    '16',
  ],
  [
    'BITFIELD',
    'bf',
    'OVERFLOW',
    'FAIL',
    'SET',
    'i8',
    '8',
    '128',
    'SET',
    'u8',
    '8',
    '-1',
    'SET',
    'u8',
    '8',
    '256',
  ],
  [
    'BITFIELD',
    'bf',
    'OVERFLOW',
    'SAT',
    'SET',
    'u8',
    '24',
    '-1',
    'OVERFLOW',
    'WRAP',
    'SET',
    'u8',
    '32',
    '-1',
    'GET',
    'u8',
    '24',
    'GET',
    'u8',
    '32',
  ],
  [
    'BITFIELD',
    'bf',
    'SET',
    'i64',
    '40',
    '-9223372036854775808',
    'INCRBY',
    'i64',
    '40',
    '-1',
    'GET',
    'i64',
    '40',
  ],
  [
    'BITFIELD',
    'bf',
    'OVERFLOW',
    'SAT',
    'SET',
    'i64',
    '40',
    '9223372036854775807',
    'INCRBY',
    'i64',
    '40',
    '1',
    'OVERFLOW',
    'FAIL',
    'INCRBY',
    'i64',
    '40',
    '1',
  ],
  ['BITFIELD', 'bf', 'SET', 'u63', '104', '-1', 'GET', 'u63', '104', 'INCRBY', 'u63', '104', '1'],
  [
    'BITFIELD',
    'bf',
    'SET',
    'i1',
    '3',
    '1',
    'GET',
    'i1',
    '3',
    'GET',
    'u1',
    '3',
    'SET',
    'u1',
    '3',
    '5',
    'GET',
    'u1',
    '3',
  ],
  [
    'BITFIELD',
    'bf',
    'SET',
    'i5',
    '#3',
    '-7',
    'GET',
    'i5',
    '15',
    'GET',
    'u5',
    '#3',
    'GET',
    'u3',
    '#1000',
  ],
  ['STRLEN', 'bf'],
  ['BITFIELD', 'bf', 'SET', 'u8', '100', '1'],
  ['STRLEN', 'bf'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '200', '1000'],
  ['STRLEN', 'bf'],
  ['BITFIELD', 'bf', 'GET', 'u64', '0'],
  ['BITFIELD', 'bf', 'GET', 'i65', '0'],
  ['BITFIELD', 'bf', 'GET', 'i0', '0'],
  ['BITFIELD', 'bf', 'GET', 'x8', '0'],
  ['BITFIELD', 'bf', 'GET', 'i', '0'],
  ['BITFIELD', 'bf', 'GET', 'i08', '0'],
  ['BITFIELD', 'bf', 'GET', 'I8', '0'],
  ['BITFIELD', 'bf', 'GET', 'U8', '0'],
  ['BITFIELD', 'bf', 'GET', 'u8', '-1'],
  ['BITFIELD', 'bf', 'GET', 'u8', 'x'],
  ['BITFIELD', 'bf', 'GET', 'u8', '#-1'],
  ['BITFIELD', 'bf', 'GET', 'u8', '#x'],
  ['BITFIELD', 'bf', 'GET', 'u8', '4294967296'],
  ['BITFIELD', 'bf', 'GET', 'u8', '4294967295'],
  ['BITFIELD', 'bf', 'GET', 'u8', '#536870912'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', 'x'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', '99999999999999999999'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0'],
  ['BITFIELD', 'bf', 'GET', 'u8'],
  ['BITFIELD', 'bf', 'OVERFLOW'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'BOGUS', 'GET', 'u8', '0'],
  ['BITFIELD', 'bf', 'BOGUS'],
  ['BITFIELD', 'bf', 'GET', 'u8', '0', 'BOGUS'],
  ['BITFIELD', 'bf', 'GET', 'u8', '0', 'SET', 'u8', '0', '1', 'GET', 'x', '0'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'sat', 'overflow', 'fail', 'incrby', 'u2', '0', '9'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT'],
  ['BITFIELD_RO', 'bf', 'GET', 'u8', '0', 'GET', 'i16', '4'],
  ['BITFIELD_RO', 'bf', 'SET', 'u8', '0', '1'],
  ['BITFIELD_RO', 'bf', 'INCRBY', 'u8', '0', '1'],
  ['BITFIELD_RO', 'bf', 'BOGUS'],
  ['BITFIELD_RO', 'missing', 'GET', 'u8', '0'],
  ['BITFIELD_RO', 'bf'],
  ['BITFIELD_RO'],
  ['EXPIRE', 'bf', '100'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '1'],
  ['TTL', 'bf'],
  ['BITFIELD', 'bfnew', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
  ['GET', 'bfnew'],
  ['PFADD', 'hl'],
  ['GET', 'hl'],
  ['PFCOUNT', 'hl'],
  ['GET', 'hl'],
  ['PFADD', 'hl'],
  ['PFADD', 'hl', 'a', 'b', 'c'],
  ['GET', 'hl'],
  ['PFADD', 'hl', 'a'],
  ['PFCOUNT', 'hl'],
  ['GET', 'hl'],
  ['PFADD', 'hl', 'd'],
  ['GET', 'hl'],
  ['PFADD', 'hl2', 'x', 'y', 'z', 'a'],
  ['PFCOUNT', 'hl', 'hl2'],
  ['PFCOUNT', 'hl', 'missing'],
  ['PFCOUNT', 'missing'],
  ['PFCOUNT', 'missing', 'missing2'],
  ['PFMERGE', 'hl3', 'hl', 'hl2'],
  ['GET', 'hl3'],
  ['PFCOUNT', 'hl3'],
  ['PFMERGE', 'hl3'],
  ['GET', 'hl3'],
  ['PFMERGE', 'hlnew'],
  ['GET', 'hlnew'],
  ['SET', 'notp', 'hello'],
  ['PFADD', 'notp', 'a'],
  ['PFCOUNT', 'notp'],
  ['PFCOUNT', 'hl', 'notp'],
  ['PFMERGE', 'notp', 'hl'],
  ['PFMERGE', 'hl', 'notp'],
  ['GET', 'notp'],
  ['SET', 'fake', 'HYLL'],
  ['PFCOUNT', 'fake'],
  ['PFADD'],
  ['PFCOUNT'],
  ['PFMERGE'],
  ['EXPIRE', 'hl', '100'],
  ['PFADD', 'hl', 'zzz'],
  ['TTL', 'hl'],
  ['PFMERGE', 'hl', 'hl2'],
  ['TTL', 'hl'],
  ['PFADD', 'big', ...numbered('e', 0, 600)],
  ['PFCOUNT', 'big'],
  ['GET', 'big'],
  ['PFADD', 'big', ...numbered('e', 600, 2400)],
  ['STRLEN', 'big'],
  ['PFCOUNT', 'big'],
  ['GET', 'big'],
  ['PFADD', 'big', ...numbered('e', 2400, 9000)],
  ['STRLEN', 'big'],
  ['PFCOUNT', 'big'],
  ['GET', 'big'],
  ['PFMERGE', 'mixed', 'hl', 'big'],
  ['STRLEN', 'mixed'],
  ['PFCOUNT', 'mixed'],
  ['GET', 'mixed'],
  ['PFCOUNT', 'hl', 'big', 'hl2'],
  ['PFADD', 'mid', ...numbered('m', 0, 1200)],
  ['STRLEN', 'mid'],
  ['PFCOUNT', 'mid'],
  ['GET', 'mid'],
  ['PFMERGE', 'mid2', 'mid', 'hl2'],
  ['GET', 'mid2'],
  ['PFADD', 'bin', '', '\x00', 'a\x00b', '0123456789abcdef', '0123456', '01234567', '012345678'],
  ['GET', 'bin'],
  ['PFCOUNT', 'bin'],
  // Elements chosen for their registers (100-103 at 1, 200-205 at 2, 300-302 at 3), so that
  // sparse VAL runs split and merge up to their longest (4 registers).
  ['PFADD', 'runs', 'r55001', 'r164471'],
  ['GET', 'runs'],
  ['PFADD', 'runs', 'r18516'],
  ['GET', 'runs'],
  ['PFADD', 'runs', 'r3612'],
  ['GET', 'runs'],
  ['PFADD', 'runs', 'r37207', 'r112147', 'r38434'],
  ['GET', 'runs'],
  ['PFADD', 'runs', 'r33345', 'r189453', 'r5088'],
  ['GET', 'runs'],
  ['PFADD', 'runs', 'r122954', 'r53655', 'r31305'],
  ['GET', 'runs'],
  ['PFCOUNT', 'runs'],
  ['PFMERGE', 'runs2', 'runs', 'hl'],
  ['GET', 'runs2'],
  ['SET', 'cp', 'v'],
  ['COPY', 'cp', 'cp2'],
  ['GET', 'cp2'],
  ['COPY', 'cp', 'cp2'],
  ['SET', 'cp', 'w'],
  ['COPY', 'cp', 'cp2', 'REPLACE'],
  ['GET', 'cp2'],
  ['COPY', 'cp', 'cp'],
  ['COPY', 'missing', 'cp3'],
  ['EXISTS', 'cp3'],
  ['COPY', 'cp', 'cp3', 'DB', '0'],
  ['COPY', 'cp', 'cp4', 'db', 'x'],
  ['COPY', 'cp', 'cp4', 'DB'],
  ['COPY', 'cp', 'cp4', 'BOGUS'],
  ['COPY', 'cp', 'cp4', 'REPLACE', 'REPLACE'],
  ['COPY', 'cp'],
  ['EXPIRE', 'cp', '100'],
  ['COPY', 'cp', 'cp5'],
  ['TTL', 'cp5'],
  ['COPY', 'cp', 'cp', 'BOGUS'],
  ['COPY', 'missing', 'missing'],
  ['SET', 'dp', '7'],
  ['DUMP', 'dp'],
  ['SET', 'dp', '-300'],
  ['DUMP', 'dp'],
  ['SET', 'dp', '70000'],
  ['DUMP', 'dp'],
  ['SET', 'dp', '-2147483648'],
  ['DUMP', 'dp'],
  ['SET', 'dp', '12345678901'],
  ['DUMP', 'dp'],
  ['SET', 'dp', '007'],
  ['DUMP', 'dp'],
  ['SET', 'dp', ''],
  ['DUMP', 'dp'],
  ['SET', 'dp', 'hello world, twenty'],
  ['DUMP', 'dp'],
  ['DUMP', 'missing'],
  ['DUMP'],
  ['RESTORE', 'rk', '0', 'garbage'],
  ['RESTORE', 'rk', '-1', 'x'],
  ['RESTORE', 'rk', 'x', 'y'],
  ['RESTORE', 'dp', '0', 'x'],
  ['RESTORE', 'rk', '0', 'x', 'BOGUS'],
  ['RESTORE', 'rk', '0', 'x', 'IDLETIME', '-1'],
  ['RESTORE', 'rk', '0', 'x', 'IDLETIME', 'x'],
  ['RESTORE', 'rk', '0', 'x', 'FREQ', '256'],
  ['RESTORE', 'rk', '0', 'x', 'FREQ', '-1'],
  ['RESTORE', 'rk', '0', 'x', 'IDLETIME', '1', 'FREQ', '1'],
  ['RESTORE', 'rk', '0', 'x', 'FREQ', '1', 'IDLETIME', '1'],
  ['RESTORE', 'rk', '0', 'x', 'IDLETIME'],
  ['RESTORE', 'rk', '0'],
  ['RESTORE', 'dp', '0', 'x', 'REPLACE'],
  ['RESTORE', 'rk', '0', '0123456789'],
  ['EXISTS', 'rk'],
  ['CLIENT', 'KILL', '1.2.3.4:5'],
  ['CLIENT', 'KILL', 'ID', '999999'],
  ['CLIENT', 'KILL', 'ID', '0'],
  ['CLIENT', 'KILL', 'ID', 'x'],
  ['CLIENT', 'KILL', 'ID', '-5'],
  ['CLIENT', 'KILL', 'TYPE', 'bogus'],
  ['CLIENT', 'KILL', 'TYPE', 'master'],
  ['CLIENT', 'KILL', 'TYPE', 'pubsub', 'ID', '999999'],
  ['CLIENT', 'KILL', 'USER', 'nobody'],
  ['CLIENT', 'KILL', 'USER', 'default', 'ID', '999999'],
  ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
  ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'no'],
  ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'],
  ['CLIENT', 'KILL', 'BOGUS', 'x'],
  ['CLIENT', 'KILL', 'ID'],
  ['CLIENT', 'KILL', 'ID', '1', 'TYPE'],
  ['CLIENT', 'KILL'],
  ['CLIENT', 'KILL', 'a', 'b', 'c'],
  ['MSET', 'la', 'ohmytext', 'lb', 'mynewtext'],
  ['LCS', 'la', 'lb'],
  ['LCS', 'la', 'lb', 'LEN'],
  ['LCS', 'la', 'lb', 'IDX'],
  ['LCS', 'la', 'lb', 'IDX', 'MINMATCHLEN', '4'],
  ['LCS', 'la', 'lb', 'IDX', 'WITHMATCHLEN'],
  ['LCS', 'la', 'lb', 'IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN'],
  ['LCS', 'la', 'lb', 'idx', 'minmatchlen', '-3'],
  ['LCS', 'la', 'lb', 'LEN', 'IDX'],
  ['LCS', 'la', 'lb', 'BOGUS'],
  ['LCS', 'la', 'lb', 'MINMATCHLEN'],
  ['LCS', 'la', 'lb', 'MINMATCHLEN', 'x'],
  ['LCS', 'la', 'missing'],
  ['LCS', 'missing', 'missing', 'IDX'],
  ['LCS', 'la'],
  ['MSET', 'lc', 'aaaaabbbbbcccccaaaaa', 'ld', 'aaaacccbbbbaaaaacccc'],
  ['LCS', 'lc', 'ld'],
  ['LCS', 'lc', 'ld', 'IDX', 'WITHMATCHLEN'],
  ['LCS', 'ld', 'lc', 'IDX'],
  ['MSET', 'le', 'abcabcabcxyz', 'lf', 'xyzabcxyzabc'],
  ['LCS', 'le', 'lf', 'IDX', 'WITHMATCHLEN'],
  ['LCS', 'lf', 'le'],
  ['MSETNX', 'ma', '1', 'mb', '2'],
  ['MSETNX', 'ma', '1', 'mc', '3'],
  ['EXISTS', 'mc'],
  ['MSETNX', 'ma', '1', 'mb'],
  ['RENAME', 'missing', 'x'],
  ['RENAME', 'missing', 'missing'],
  ['RENAME', 'ma', 'ma'],
  ['RENAME', 'ma', 'mz'],
  ['GET', 'mz'],
  ['EXISTS', 'ma'],
  ['RENAME', 'rs', 'rt'],
  ['TTL', 'rt'],
  ['RENAME', 'mz', 'mb'],
  ['GET', 'mb'],
  ['RENAMENX', 'mb', 'rn'],
  ['RENAMENX', 'mb', 'mb'],
  ['RENAMENX', 'mb', 'mq'],
  ['GET', 'mq'],
  ['RENAMENX', 'missing', 'x'],
  ['RENAME', 'a'],
  ['DEL', 'rt', 'rn', 'mq'],
  ['SET', 'f', '10.5'],
  ['INCRBYFLOAT', 'f', '0.1'],
  ['INCRBYFLOAT', 'f', '0.1'],
  ['INCRBYFLOAT', 'g', '0.1'],
  ['INCRBYFLOAT', 'g', '0.1'],
  ['INCRBYFLOAT', 'g', '0.1'],
  ['INCRBYFLOAT', 'h', '5.0e3'],
  ['INCRBYFLOAT', 'h', '2.0e2'],
  ['INCRBYFLOAT', 'i', '1e-20'],
  ['INCRBYFLOAT', 'j', '1.5e20'],
  ['INCRBYFLOAT', 'j', '1'],
  ['INCRBYFLOAT', 'k', 'inf'],
  ['INCRBYFLOAT', 'k', '-Infinity'],
  ['INCRBYFLOAT', 'k', 'nan'],
  ['INCRBYFLOAT', 'k', 'abc'],
  ['INCRBYFLOAT', 'k', ' 1'],
  ['INCRBYFLOAT', 'k', '1 '],
  ['INCRBYFLOAT', 'k', ''],
  ['INCRBYFLOAT', 'k', '1e'],
  ['INCRBYFLOAT', 'k', '.'],
  ['INCRBYFLOAT', 'k', '.5'],
  ['INCRBYFLOAT', 'k', '5.'],
  ['INCRBYFLOAT', 'k', '+1.0'],
  ['INCRBYFLOAT', 'l', '3'],
  ['INCRBYFLOAT', 'l', '-3.5'],
  ['INCRBYFLOAT', 'l', '0.5'],
  ['INCRBYFLOAT', 'l', '-1e-30'],
  ['SET', 'fs', 'abc'],
  ['INCRBYFLOAT', 'fs', '1'],
  ['SET', 'fi', 'inf'],
  ['INCRBYFLOAT', 'fi', '1'],
  ['INCRBYFLOAT', 'm', '0x10'],
  ['INCRBYFLOAT', 'm', '0x1.8p3'],
  ['INCRBYFLOAT', 'm', '0x'],
  ['INCRBYFLOAT', 'm', '0x0'],
  ['INCRBYFLOAT', 'n', '1e400'],
  ['INCRBYFLOAT', 'n', '1e-400'],
  ['INCRBYFLOAT', 'o', '1.7976931348623157e308'],
  ['INCRBYFLOAT', 'o', '1.7976931348623157e308'],
  ['INCRBYFLOAT', 'o', '1e4932'],
  ['INCRBYFLOAT', 'o', '1e5000'],
  ['INCRBYFLOAT', 'o', '1e-5000'],
  ['INCRBYFLOAT', 'o', '1e-4940'],
  ['INCRBYFLOAT', 'p', '123456789012345678'],
  ['INCRBYFLOAT', 'p', '0.5'],
  ['INCRBYFLOAT', 'p', '0.25'],
  ['INCRBYFLOAT', 'q', '-0'],
  ['INCRBYFLOAT', 'q', '-0.0'],
  ['INCRBYFLOAT', 'r', '1.23456789012345678901234'],
  ['INCRBYFLOAT', 'r', '1e-17'],
  ['INCRBYFLOAT', 'r', '5e-18'],
  ['INCRBYFLOAT', 't', '1e-5'],
  ['INCRBYFLOAT', 'u', '2.5e-10'],
  ['INCRBYFLOAT', 'v', '0.1'],
  ['INCRBYFLOAT', 'v', '0.7'],
  ['INCRBYFLOAT', 'v', '-0.8'],
  ['INCRBYFLOAT', 'w', '9007199254740993'],
  ['INCRBYFLOAT', 'w', '0.3333333333333333333333'],
  ['INCRBYFLOAT', 'x1', '18446744073709551615'],
  ['INCRBYFLOAT', 'x1', '1'],
  ['INCRBYFLOAT', 'x2', '18446744073709551617'],
  ['INCRBYFLOAT', 'x3', '0.000000000000000005'],
  ['INCRBYFLOAT', 'x4', '0.000000000000000015'],
  ['INCRBYFLOAT', 'x5', '2.675'],
  ['INCRBYFLOAT', 'x6', '1e23'],
  ['INCRBYFLOAT', 'x7', '-1e-18'],
  ['INCRBYFLOAT'],
  [
    'DEL',
    'f',
    'g',
    'h',
    'i',
    'j',
    'l',
    'fs',
    'fi',
    'm',
    'n',
    'o',
    'p',
    'q',
    'r',
    't',
    'u',
    'v',
    'w',
  ],
  ['DEL', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'k'],
  ['EXEC'],
  ['DISCARD'],
  ['MULTI'],
  ['MULTI'],
  ['SET', 'tx', 'v'],
  ['INCR', 'tx'],
  ['GET', 'tx'],
  ['EXEC'],
  ['MULTI'],
  ['NOPE', 'x'],
  ['GET'],
  ['SET', 'tx2', 'v2'],
  ['EXEC'],
  ['GET', 'tx2'],
  ['MULTI'],
  ['WATCH', 'tx'],
  ['PING'],
  ['SELECT', '0'],
  ['MGET', 'tx', 'missing'],
  ['EXEC'],
  ['MULTI'],
  ['DISCARD'],
  ['UNWATCH'],
  ['WATCH', 'tx'],
  ['SET', 'tx', 'changed'],
  ['MULTI'],
  ['GET', 'tx'],
  ['EXEC'],
  ['WATCH', 'tx'],
  ['MULTI'],
  ['GET', 'tx'],
  ['EXEC'],
  ['MULTI'],
  ['EXEC'],
  ['MULTI', 'x'],
  ['EXEC', 'x'],
  ['WATCH'],
  ['DEL', 'tx'],
  ['MSET', 'a', '1', 'b', '2'],
  ['MSET', 'a', '1', 'b'],
  ['MGET', 'a', 'missing', 'b'],
  ['MGET'],
  ['INCR', 'c'],
  ['INCRBY', 'c', '10'],
  ['DECR', 'c'],
  ['DECRBY', 'c', '3'],
  ['INCRBY', 'c', 'x'],
  ['INCRBY', 'c', '1.5'],
  ['INCRBY', 'c', '99999999999999999999'],
  ['DECRBY', 'c', '-9223372036854775808'],
  ['INCR', 'a', 'b'],
  ['SET', 'big', '9223372036854775807'],
  ['INCR', 'big'],
  ['SET', 'small', '-9223372036854775808'],
  ['DECR', 'small'],
  ['SET', 's', 'abc'],
  ['INCR', 's'],
  ['SET', 'sp', ' 1'],
  ['INCR', 'sp'],
  ['SET', 'lz', '01'],
  ['INCR', 'lz'],
  ['APPEND', 's', 'def'],
  ['APPEND', 'new', 'x'],
  ['STRLEN', 's'],
  ['STRLEN', 'missing'],
  ['DEL', 'a', 'b', 'missing'],
  ['UNLINK', 'c'],
  ['EXISTS', 's', 's', 'missing'],
  ['TYPE', 's'],
  ['TYPE', 'missing'],
  ['SET', 'e', 'v'],
  ['EXPIRE', 'e', '100', 'NX', 'XX'],
  ['EXPIRE', 'e', '100', 'GT', 'LT'],
  ['EXPIRE', 'e', '100', 'FOO'],
  ['EXPIRE', 'e', 'x'],
  ['EXPIRE', 'e', '9223372036854775807'],
  ['PEXPIRE', 'e', '9223372036854775807'],
  ['EXPIREAT', 'e', '9223372036854775807'],
  ['EXPIRE', 'e', '100', 'XX'],
  ['EXPIRE', 'e', '100', 'GT'],
  ['EXPIRE', 'e', '100', 'LT'],
  ['TTL', 'e'],
  ['EXPIRE', 'e', '200', 'NX'],
  ['EXPIRE', 'e', '50', 'GT'],
  ['EXPIRE', 'e', '300', 'LT'],
  ['PEXPIRE', 'e', '500000', 'GT'],
  ['TTL', 'e'],
  ['PERSIST', 'e'],
  ['PERSIST', 'e'],
  ['EXPIRE', 'missing', '10'],
  ['EXPIRE', 'e', '-1'],
  ['EXISTS', 'e'],
  ['EXPIRE', 'e'],
  ['SELECT', '0'],
  ['SELECT', 'x'],
  ['SELECT', '99999999999'],
  ['AUTH', 'pw'],
  ['AUTH', 'default', 'anything'],
  ['AUTH', 'alice', 'x'],
  ['AUTH', 'a', 'b', 'c'],
  ['HELLO', 'x'],
  ['HELLO', '4'],
  ['HELLO', '2', 'FOO'],
  ['HELLO', '2', 'AUTH', 'alice', 'pw'],
  ['FOO'],
  ['FOO', 'a', 'b'],
  ['FOO', 'x'.repeat(300), 'y'],
  ['CONFIG'],
  ['CONFIG', 'NOPE'],
  ['CONFIG', 'GET'],
  ['CONFIG', 'GET', 'save'],
  ['CONFIG', 'GET', 'appendonly'],
  ['CONFIG', 'GET', 'nothing-like-this'],
  ['CONFIG', 'SET', 'bogus', '1'],
  ['CONFIG', 'SET', 'maxmemory'],
  // SLOWLOG with the log off, so that nothing a loaded machine makes slow lands in it.
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
  ['SLOWLOG', 'RESET'],
  ['SLOWLOG', 'LEN'],
  ['SLOWLOG', 'GET'],
  ['SLOWLOG', 'GET', '5'],
  ['SLOWLOG', 'GET', '-1'],
  ['SLOWLOG', 'GET', '-2'],
  ['SLOWLOG', 'GET', 'x'],
  ['SLOWLOG', 'GET', '1', '2'],
  ['SLOWLOG', 'LEN', 'x'],
  ['SLOWLOG', 'RESET', 'x'],
  ['SLOWLOG'],
  ['SLOWLOG', 'NOPE'],
  // Not `slowlog-*`: Redis lists a pattern's matches in its dict's order, seeded per process.
  ['CONFIG', 'GET', 'slowlog-max-len'],
  ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
  ['CONFIG', 'SET', 'slowlog-max-len', '1.5'],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', 'abc'],
  ['CONFIG', 'SET', 'slowlog-max-len', '64', 'slowlog-log-slower-than', '20000'],
  ['CONFIG', 'GET', 'slowlog-log-slower-than'],
  ['CONFIG', 'GET', 'slowlog-max-len'],

  ['CONFIG', 'SET', 'slowlog-max-len', '128', 'slowlog-log-slower-than', '10000'],
  ['CLIENT'],
  ['CLIENT', 'NOPE'],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'SETNAME', 'bad name'],
  ['CLIENT', 'SETNAME', 'good'],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'ID', 'x'],
  ['COMMAND', 'NOPE'],
  ['COMMAND', 'INFO', 'nope'],
  ['COMMAND', 'GETKEYS', 'PING'],
  ['COMMAND', 'GETKEYS', 'NOPE', 'x'],
  ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
  ['SCAN', 'x'],
  ['SCAN', '0', 'COUNT', '0'],
  ['SCAN', '0', 'COUNT', 'x'],
  ['SCAN', '0', 'MATCH'],
  ['SCAN', '0', 'BOGUS', 'x'],
  ...SCRIPTING_STEPS,
  ['FLUSHALL', 'later'],
  ['FLUSHALL', 'ASYNC', 'SYNC'],
  ['FLUSHDB'],
  ['RANDOMKEY'],
  ['RANDOMKEY', 'x'],
  ['DBSIZE'],
  ['SCAN', '0'],
  ['SET', 'x'.repeat(10), 'y'],
  ['RANDOMKEY'],
  ['SCAN', '0', 'MATCH', 'x*'],
  ['SCAN', '0', 'MATCH', 'z*'],
  ['QUIT'],
];

/**
 * The RESP3 script: one pipeline that switches to RESP3 with HELLO 3 part-way, back to RESP2
 * and to RESP3 again, so that it also checks that the switch takes effect at the next command.
 * Each reply's bytes are compared, except where the `compare` says otherwise:
 *
 * - `hello`: HELLO's map, with the `version` and `id` values masked (7.0.15 and 7.2.0; client ids
 *   differ), everything else byte for byte;
 * - `type`: the reply's type byte only, for text whose content differs (INFO, CLIENT INFO).
 */
interface Resp3Step {
  readonly args: readonly string[];
  readonly compare?: 'hello' | 'type';
}

const RESP3_SCRIPT: readonly Resp3Step[] = [
  { args: ['GET', 'missing'] },
  { args: ['HELLO', '3'], compare: 'hello' },
  { args: ['GET', 'missing'] },
  { args: ['MGET', 'missing', 'missing2'] },
  { args: ['SET', 'k', 'v'] },
  { args: ['GET', 'k'] },
  { args: ['MGET', 'k', 'missing', 'k'] },
  { args: ['MGET'] },
  { args: ['GETDEL', 'missing'] },
  { args: ['GETEX', 'missing'] },
  { args: ['GETEX', 'missing', 'EX', '10'] },
  { args: ['SET', 'n', 'v', 'XX'] },
  { args: ['SET', 'n', 'v', 'XX', 'GET'] },
  { args: ['SET', 'k', 'v2', 'NX', 'GET'] },
  { args: ['SET', 'k', 'v2', 'NX'] },
  { args: ['SET', 'fresh', 'v', 'NX', 'GET'] },
  { args: ['SET', 'k', 'v3', 'GET'] },
  { args: ['GETDEL', 'k'] },
  { args: ['GETDEL', 'k'] },
  { args: ['INCR', 'c'] },
  { args: ['INCRBY', 'c', 'x'] },
  { args: ['EXPIRE', 'c', '100'] },
  { args: ['TTL', 'c'] },
  { args: ['TTL', 'missing'] },
  { args: ['EXISTS', 'c', 'missing'] },
  { args: ['TYPE', 'c'] },
  { args: ['PING'] },
  { args: ['PING', 'x'] },
  { args: ['ECHO', 'y'] },
  { args: ['CONFIG', 'GET', 'save'] },
  { args: ['CONFIG', 'GET', 'appendonly'] },
  { args: ['CONFIG', 'GET', 'timeout'] },
  { args: ['CONFIG', 'GET', 'proto-max-bulk-len'] },
  { args: ['CONFIG', 'GET', 'cluster-enabled'] },
  { args: ['CONFIG', 'GET', 'nothing-like-this'] },
  { args: ['CONFIG', 'GET'] },
  { args: ['CLIENT', 'GETNAME'] },
  { args: ['CLIENT', 'SETNAME', 'worker'] },
  { args: ['CLIENT', 'GETNAME'] },
  { args: ['CLIENT', 'ID', 'x'] },
  { args: ['CLIENT', 'INFO'], compare: 'type' },
  { args: ['INFO'], compare: 'type' },
  { args: ['INFO', 'keyspace'] },
  { args: ['INFO', 'nonsense'] },
  { args: ['COMMAND', 'INFO', 'nope'] },
  { args: ['COMMAND', 'INFO', 'nope', 'nope2'] },
  { args: ['COMMAND', 'DOCS', 'nope'] },
  { args: ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'] },
  { args: ['HELLO'], compare: 'hello' },
  { args: ['HELLO', '4'] },
  { args: ['HELLO', '1'] },
  { args: ['HELLO', 'x'] },
  { args: ['HELLO', '3', 'FOO'] },
  { args: ['HELLO', '3', 'AUTH', 'default'] },
  { args: ['HELLO', '3', 'SETNAME', 'bad name'] },
  { args: ['HELLO', '3', 'AUTH', 'alice', 'pw'] },
  { args: ['HELLO', '3', 'AUTH', 'default', 'anything', 'SETNAME', 'named'], compare: 'hello' },
  { args: ['CLIENT', 'GETNAME'] },
  { args: ['HELLO', '2'], compare: 'hello' },
  { args: ['GET', 'missing'] },
  { args: ['MGET', 'missing'] },
  { args: ['CONFIG', 'GET', 'save'] },
  { args: ['COMMAND', 'INFO', 'nope'] },
  { args: ['HELLO', '3'], compare: 'hello' },
  { args: ['GET', 'missing'] },
  { args: ['SET', 'la', 'ohmytext'] },
  { args: ['SET', 'lb', 'mynewtext'] },
  { args: ['LCS', 'la', 'lb', 'IDX', 'WITHMATCHLEN'] },
  ...SCRIPTING_RESP3_STEPS.map((args) => ({ args })),
  { args: ['FLUSHALL'] },
  { args: ['SCAN', '0'] },
  { args: ['SET', 'x'.repeat(10), 'y'] },
  { args: ['SCAN', '0', 'MATCH', 'x*'] },
  { args: ['NOPE'] },
  { args: ['QUIT'] },
];

let redis: ReferenceRedis | undefined;
let redisPort = 0;
let mlcache: TestServer | undefined;

const available = await redisServerAvailable;
if (!available)
  console.warn(
    'redis-server not installed: skipping the differential test (apt-get install -y redis-server)',
  );

/** Each reply of the script as its bytes (latin1). */
async function replies(port: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline(SCRIPT));
  await client.closesWithin(10_000);
  return splitFrames(Buffer.from(client.text, 'latin1'));
}

/** Sends `commands` (arguments may be bytes) on a new connection; each reply's bytes. */
async function exchange(port: number, commands: (string | Buffer)[][]): Promise<Buffer[]> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline(commands));
  const complete = (): boolean => {
    try {
      return splitFrames(Buffer.from(client.text, 'latin1')).length >= commands.length;
    } catch {
      return false;
    }
  };
  await client.waitFor(complete);
  client.destroy();
  return splitFrames(Buffer.from(client.text, 'latin1')).map((reply) =>
    Buffer.from(reply, 'latin1'),
  );
}

/** The bytes of a bulk reply `$n CRLF bytes CRLF`. */
function bulkOf(reply: Buffer): Buffer {
  return reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2);
}

/** Each reply of the RESP3 script as its bytes (latin1), prepared for comparison. */
async function resp3Replies(port: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline(RESP3_SCRIPT.map((step) => step.args)));
  await client.closesWithin(10_000);
  return splitFrames(Buffer.from(client.text, 'latin1')).map((reply, i) =>
    comparable(reply, RESP3_SCRIPT[i]?.compare),
  );
}

function comparable(reply: string, compare: Resp3Step['compare']): string {
  if (compare === 'type') return reply.slice(0, 1);
  if (compare === 'hello') {
    return reply
      .replace(/(\$7\r\nversion\r\n)\$\d+\r\n[^\r]*\r\n/, '$1<version>')
      .replace(/(\$2\r\nid\r\n):\d+\r\n/, '$1<id>');
  }
  return reply;
}

/** Waits until `client` has received at least `count` complete replies or messages. */
async function framesOf(client: RawClient, count: number): Promise<string[]> {
  await client.waitFor(() => receivedFrames(client).length >= count);
  return receivedFrames(client);
}

/**
 * A Pub/Sub session on one server: a RESP2 subscriber, a publisher, and a RESP3 subscriber that
 * publishes to itself. Every frame each connection received, in order (HELLO's map normalised).
 */
async function pubsubTranscript(port: number): Promise<string[]> {
  const subscriber = await RawClient.connect(port);
  subscriber.send(
    encodePipeline([
      ['SUBSCRIBE', 'a', 'b'],
      ['PSUBSCRIBE', 'n*'],
      ['SSUBSCRIBE', 's'],
      ['GET', 'x'],
      ['PUBSUB', 'NUMPAT'],
      ['PING'],
      ['PING', 'hi'],
      ['SUBSCRIBE'],
      ['PUNSUBSCRIBE', 'x*'],
      ['SUBSCRIBE', 'a'],
    ]),
  );
  await framesOf(subscriber, 11);
  const published = await exchange(port, [
    ['PUBLISH', 'a', 'one'],
    ['PUBLISH', 'news', Buffer.from([0, 13, 10, 255])],
    ['SPUBLISH', 's', 'sharded'],
    ['SPUBLISH', 'news', 'not to patterns'],
    ['PUBLISH', 'nobody', 'x'],
    ['PUBSUB', 'NUMSUB', 'a', 'b', 'nobody'],
    ['PUBSUB', 'NUMSUB'],
    ['PUBSUB', 'NUMPAT'],
    ['PUBSUB', 'CHANNELS', 'a'],
    ['PUBSUB', 'CHANNELS', 'a', 'b'],
    ['PUBSUB', 'SHARDCHANNELS'],
    ['PUBSUB', 'SHARDNUMSUB', 's', 'z'],
    ['PUBSUB', 'FOO'],
    ['PUBSUB', 'HELP'],
    ['PUBLISH', 'a'],
    ['INFO', 'nothing'],
  ]);
  await framesOf(subscriber, 14);
  subscriber.send(
    encodePipeline([
      ['UNSUBSCRIBE', 'b', 'zz'],
      ['PUNSUBSCRIBE'],
      ['SUNSUBSCRIBE'],
      ['UNSUBSCRIBE'],
      ['UNSUBSCRIBE'],
      ['GET', 'x'],
      ['PING'],
      ['QUIT'],
    ]),
  );
  await subscriber.closesWithin(10_000);
  const resp3 = await RawClient.connect(port);
  resp3.send(
    encodePipeline([
      ['HELLO', '3'],
      ['SUBSCRIBE', 'c'],
      ['PUBLISH', 'c', 'to myself'],
      ['GET', 'x'],
      ['PSUBSCRIBE', '*'],
      ['PUBLISH', 'c', 'twice'],
      ['PING'],
      ['UNSUBSCRIBE'],
      ['PUNSUBSCRIBE'],
      ['MULTI'],
      ['SUBSCRIBE', 'd'],
      ['EXEC'],
      ['UNSUBSCRIBE', 'd'],
      ['QUIT'],
    ]),
  );
  await resp3.closesWithin(10_000);
  // RESET: out of MULTI and WATCH, no subscriptions (left silently), RESP2, no name.
  const resetting = await RawClient.connect(port);
  resetting.send(
    encodePipeline([
      ['CLIENT', 'SETNAME', 'bob'],
      ['MULTI'],
      ['SET', 'reset:a', 'b'],
      ['RESET'],
      ['EXEC'],
      ['CLIENT', 'GETNAME'],
      ['SUBSCRIBE', 'x'],
      ['RESET'],
      ['GET', 'reset:a'],
      ['RESET', 'extra'],
      ['HELLO', '3'],
      ['RESET'],
      ['PING'],
      ['WATCH', 'reset:a'],
      ['RESET'],
      ['EXEC'],
      ['QUIT'],
    ]),
  );
  await resetting.closesWithin(10_000);
  const hello = (frame: string): string =>
    frame.startsWith('%') ? comparable(frame, 'hello') : frame;
  return [
    ...splitFrames(Buffer.from(subscriber.text, 'latin1')),
    ...published.map((reply) => reply.toString('latin1')),
    ...splitFrames(Buffer.from(resp3.text, 'latin1')).map(hello),
    ...splitFrames(Buffer.from(resetting.text, 'latin1')).map(hello),
  ];
}

/** Commandstats as `name -> [calls, rejected_calls, failed_calls]`. */
function commandCounts(info: Buffer): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  for (const match of bulkOf(info)
    .toString('latin1')
    .matchAll(/^cmdstat_(\S+?):calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)\r$/gm)) {
    counts.set(match[1]!, [Number(match[2]), Number(match[3]), Number(match[4])]);
  }
  return counts;
}

/** What `commands` added to each command's commandstats counts on one server (INFO left out). */
async function countsAdded(port: number, commands: string[][]): Promise<Record<string, number[]>> {
  const info = ['INFO', 'commandstats'];
  const replies = await exchange(port, [info, ...commands, info]);
  const before = commandCounts(replies[0]!);
  const after = commandCounts(replies.at(-1)!);
  const added: Record<string, number[]> = {};
  for (const [name, counts] of after) {
    if (name === 'info') continue;
    const was = before.get(name) ?? [0, 0, 0];
    const delta = counts.map((count, i) => count - was[i]!);
    if (delta.some((d) => d !== 0)) added[name] = delta;
  }
  return added;
}

/**
 * SLOWLOG GET after `commands` ran with every command logged, on one connection: each entry's
 * arguments and client name (ids, times, durations and ports differ between servers).
 */
async function slowLogged(port: number, commands: string[][]): Promise<RespReply[]> {
  const replies = await exchange(port, [
    ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
    ['SLOWLOG', 'RESET'],
    ...commands,
    ['SLOWLOG', 'GET', '-1'],
    ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'],
  ]);
  const entries = parseReply(replies.at(-2)!, 0)!.value as RespReply[][];
  return entries.map((entry) => [entry[3]!, entry[5]!]);
}

/**
 * notify-keyspace-events on one server: the settings as CONFIG GET spells them, then the
 * notifications of an expired key to a RESP3 client that listens on both channels.
 */
async function keyspaceTranscript(port: number): Promise<string[]> {
  const settings = ['KEA', 'Ex', 'A', 'g$lshzxetdn', 'AKEm', 'mnK', 'e$g', 'Z', 'xK!', ''];
  const config = await exchange(
    port,
    settings.flatMap((value) => [
      ['CONFIG', 'SET', 'notify-keyspace-events', value],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
    ]),
  );
  const client = await RawClient.connect(port);
  client.send(
    encodePipeline([
      ['HELLO', '3'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEx'],
      ['SUBSCRIBE', '__keyevent@0__:expired', '__keyspace@0__:gone'],
      ['SET', 'gone', 'v', 'PX', '20'],
    ]),
  );
  await framesOf(client, 5);
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Expired by the server's own cycle by now, or at this GET: the same frames either way.
  client.send(
    encodePipeline([['GET', 'gone'], ['CONFIG', 'SET', 'notify-keyspace-events', ''], ['QUIT']]),
  );
  await client.closesWithin(10_000);
  const frames = splitFrames(Buffer.from(client.text, 'latin1')).slice(1);
  return [...config.map((reply) => reply.toString('latin1')), ...frames];
}

/** Lua that copies KEYS[1] to KEYS[2] through DUMP and RESTORE, with RESTORE's extra arguments. */
const RESTORE_BY_DUMP =
  "return redis.call('restore', KEYS[2], ARGV[1], redis.call('dump', KEYS[1]), unpack(ARGV, 2))";

/**
 * Writes, reads and misses of every command that raises a generic, string, new-key or key-miss
 * event (and some that raise none), in scripts and transactions too. Deterministic in time: a key
 * given a time already past is read at once, so that Redis's later `expired` (by its expiry
 * cycle, or at that read) comes where mlcache's does, before the read's `keymiss`.
 */
const KEY_EVENTS_SCRIPT: readonly (readonly string[])[] = [
  ['SET', 'a', '1'],
  ['SET', 'a', '2'],
  ['SET', 'b', 'x', 'EX', '100'],
  ['SET', 'b', 'y', 'KEEPTTL'],
  ['SET', 'b', 'z', 'GET'],
  ['SET', 'c', 'v', 'NX'],
  ['SET', 'c', 'v', 'NX'],
  ['SET', 'd', 'v', 'XX'],
  ['SET', 'e', 'v', 'GET'],
  ['SET', 'f', 'v', 'XX', 'GET'],
  ['SET', 'past', 'v', 'PXAT', '1'],
  ['GET', 'past'],
  ['SET', 'a', 'v', 'EXAT', '1'],
  ['EXISTS', 'a'],
  ['SETEX', 'g', '100', 'v'],
  ['PSETEX', 'g', '100000', 'w'],
  ['SETNX', 'h', 'v'],
  ['SETNX', 'h', 'v'],
  ['MSET', 'i', '1', 'j', '2', 'i', '3'],
  ['MSETNX', 'k', '1', 'l', '2'],
  ['MSETNX', 'k', '1', 'm', '2'],
  ['GETSET', 'n', 'v'],
  ['GETSET', 'n', 'w'],
  ['GET', 'nope'],
  ['GET', 'n'],
  ['MGET', 'nope', 'n', 'nope2'],
  ['STRLEN', 'nope'],
  ['GETRANGE', 'nope', '0', '1'],
  ['SUBSTR', 'n', '0', '1'],
  ['GETDEL', 'nope'],
  ['GETDEL', 'n'],
  ['GETEX', 'nope'],
  ['GETEX', 'h'],
  ['GETEX', 'h', 'EX', '100'],
  ['GETEX', 'h', 'PERSIST'],
  ['GETEX', 'h', 'PERSIST'],
  ['GETEX', 'h', 'PXAT', '1'],
  ['INCR', 'o'],
  ['DECR', 'o'],
  ['INCRBY', 'o', '5'],
  ['DECRBY', 'o', '5'],
  ['INCR', 'c'],
  ['INCRBYFLOAT', 'o', '1.5'],
  ['INCRBYFLOAT', 'p', '1.5'],
  ['APPEND', 'q', 'x'],
  ['APPEND', 'q', 'y'],
  ['APPEND', 'q2', ''],
  ['SETRANGE', 'r', '2', 'x'],
  ['SETRANGE', 'r', '0', 'y'],
  ['SETRANGE', 'r', '0', ''],
  ['SETRANGE', 'r2', '0', ''],
  ['EXISTS', 'nope', 'q'],
  ['TOUCH', 'nope', 'q'],
  ['TYPE', 'nope'],
  ['TTL', 'nope'],
  ['PTTL', 'q'],
  ['EXPIRETIME', 'nope'],
  ['PEXPIRETIME', 'nope'],
  ['DUMP', 'nope'],
  ['OBJECT', 'ENCODING', 'nope'],
  ['MEMORY', 'USAGE', 'nope'],
  ['DEL', 'nope', 'q', 'r'],
  ['UNLINK', 'r2', 'q2'],
  ['EXPIRE', 'o', '100'],
  ['EXPIRE', 'o', '100', 'NX'],
  ['PEXPIRE', 'o', '200000', 'GT'],
  ['EXPIREAT', 'o', '99999999999'],
  ['PEXPIREAT', 'o', '99999999999999'],
  ['PERSIST', 'o'],
  ['PERSIST', 'o'],
  ['EXPIRE', 'nope', '100'],
  ['EXPIRE', 'o', '-1'],
  ['SET', 'o', '1'],
  ['PEXPIREAT', 'o', '1'],
  ['RENAME', 'nope', 'x'],
  ['SET', 's', 'v'],
  ['RENAME', 's', 't'],
  ['RENAME', 't', 't'],
  ['SET', 'u', 'v'],
  ['RENAME', 't', 'u'],
  ['RENAMENX', 'u', 'g'],
  ['RENAMENX', 'u', 'w'],
  ['COPY', 'w', 'cw'],
  ['COPY', 'w', 'cw'],
  ['COPY', 'w', 'cw', 'REPLACE'],
  ['COPY', 'nope', 'cw'],
  ['SETBIT', 'bb', '3', '1'],
  ['SETBIT', 'bb', '3', '1'],
  ['SETBIT', 'bb', '3', '0'],
  ['SETBIT', 'bb', '100', '0'],
  ['SETBIT', 'nb', '3', '0'],
  ['GETBIT', 'nope', '3'],
  ['BITCOUNT', 'nope'],
  ['BITPOS', 'nope', '1'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'],
  ['BITFIELD', 'bf', 'GET', 'u8', '0'],
  ['BITFIELD', 'nope', 'GET', 'u8', '0'],
  ['BITFIELD_RO', 'nope', 'GET', 'u8', '0'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '1', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '16', '300'],
  ['BITFIELD', 'nf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
  ['BITFIELD', 'bf', 'SET', 'u8', '40', '0'],
  ['BITOP', 'AND', 'bo', 'bb', 'bf'],
  ['BITOP', 'AND', 'bo', 'nope', 'nope2'],
  ['BITOP', 'OR', 'bo', 'nope'],
  ['BITOP', 'NOT', 'bo2', 'bb'],
  ['PFADD', 'hll', 'a', 'b', 'c'],
  ['PFADD', 'hll', 'a'],
  ['PFADD', 'hll'],
  ['PFADD', 'hll2'],
  ['PFCOUNT', 'hll'],
  ['PFCOUNT', 'nope'],
  ['PFCOUNT', 'hll', 'nope'],
  ['PFMERGE', 'hll3', 'nope', 'hll', 'hll2'],
  ['PFMERGE', 'hll3'],
  ['PFADD', 'dense', ...numbered('e', 0, 2000)],
  ['PFADD', 'dense', ...numbered('e', 0, 10)],
  ['PFADD', 'dense', ...numbered('e', 2000, 2100)],
  ['LCS', 'nope', 'nope2'],
  ['LCS', 'bb', 'bf'],
  ['EVAL', RESTORE_BY_DUMP, '2', 'w', 'rs', '0'],
  ['EVAL', RESTORE_BY_DUMP, '2', 'w', 'rs', '0', 'REPLACE'],
  ['EVAL', RESTORE_BY_DUMP, '2', 'w', 'rs', '100000', 'REPLACE'],
  ['EVAL', RESTORE_BY_DUMP, '2', 'w', 'rs', '1', 'ABSTTL', 'REPLACE'],
  ['EVAL', RESTORE_BY_DUMP, '2', 'w', 'rs2', '1', 'ABSTTL'],
  ['EVAL', "redis.call('set', KEYS[1], 'v'); return redis.call('get', KEYS[2])", '2', 'l', 'nope'],
  ['MULTI'],
  ['SET', 'tx', '1'],
  ['INCR', 'tx'],
  ['GET', 'nope'],
  ['DEL', 'tx'],
  ['EXEC'],
  ['DBSIZE'],
  ['KEYS', 'nope*'],
  ['FLUSHALL'],
];

/**
 * Keyspace events of the classes g, $, n and m on one server: a RESP2 subscriber to
 * `__key*__:*` hears KEY_EVENTS_SCRIPT run on another connection under each setting (a message
 * on `done` closes each run). Every frame the subscriber received, then the script's replies.
 */
async function keyEventsTranscript(port: number): Promise<string[]> {
  const subscriber = await RawClient.connect(port);
  subscriber.send(
    encodePipeline([
      ['PSUBSCRIBE', '__key*__:*'],
      ['SUBSCRIBE', 'done'],
    ]),
  );
  await framesOf(subscriber, 2);
  const written: string[] = [];
  for (const setting of ['AKEnm', 'KEg$', 'En', 'Km', 'Ex', 'g$nm']) {
    const replies = await exchange(port, [
      ['FLUSHALL'],
      ['CONFIG', 'SET', 'notify-keyspace-events', setting],
      ...KEY_EVENTS_SCRIPT.map((command) => [...command]),
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ['PUBLISH', 'done', setting],
    ]);
    written.push(...replies.map((reply) => reply.toString('latin1')));
    await subscriber.waitFor((text) =>
      text.endsWith(`$4\r\ndone\r\n$${setting.length}\r\n${setting}\r\n`),
    );
  }
  subscriber.destroy();
  return [...splitFrames(Buffer.from(subscriber.text, 'latin1')), ...written];
}

describe.skipIf(!available)('mlcache against redis-server', () => {
  beforeAll(async () => {
    redis = await startReferenceRedis();
    redisPort = redis.port;
    mlcache = await startTestServer();
  });

  afterAll(async () => {
    redis?.stop();
    await mlcache?.close();
  });

  it('sends the same bytes for every command of the script', async () => {
    const expected = await replies(redisPort);
    const actual = await replies(mlcache!.port);
    expect(actual).toHaveLength(SCRIPT.length);
    const differences = SCRIPT.map((command, i) => ({
      command: command.join(' ').slice(0, 60),
      redis: expected[i],
      mlcache: actual[i],
    })).filter((row) => row.redis !== row.mlcache);
    expect(differences).toEqual([]);
  });

  it('moves strings both ways with DUMP and RESTORE, compressed payloads included', async () => {
    const incompressible = Buffer.from(
      Array.from({ length: 100 }, (_, i) => (i * 7919 + 13) % 251),
    );
    const values = [
      '7',
      '-300',
      '70000',
      '12345678901',
      '',
      'hello',
      'a'.repeat(200),
      'abc'.repeat(50) + 'xyz',
      'x'.repeat(70_000),
    ].map((text) => Buffer.from(text, 'latin1'));
    values.push(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), incompressible);
    let compressed = 0;
    for (const [i, value] of values.entries()) {
      const key = `moved:${i}`;
      const [, theirs] = await exchange(redisPort, [
        ['SET', key, value],
        ['DUMP', key],
      ]);
      const redisPayload = bulkOf(theirs!);
      const [restored, back] = await exchange(mlcache!.port, [
        ['RESTORE', key, '0', redisPayload, 'REPLACE'],
        ['GET', key],
      ]);
      expect(restored!.toString('latin1'), `value ${i} into mlcache`).toBe('+OK\r\n');
      expect(bulkOf(back!).equals(value), `value ${i} read back`).toBe(true);
      const [ours] = await exchange(mlcache!.port, [['DUMP', key]]);
      const payload = bulkOf(ours!);
      // Where Redis did not compress (an integer, a short or incompressible text), the same bytes.
      if (redisPayload[1] === 0xc3) compressed++;
      else expect(payload.equals(redisPayload), `payload ${i}`).toBe(true);
      const [intoRedis, fromRedis] = await exchange(redisPort, [
        ['RESTORE', `${key}:copy`, '0', payload],
        ['GET', `${key}:copy`],
      ]);
      expect(intoRedis!.toString('latin1'), `value ${i} into redis`).toBe('+OK\r\n');
      expect(bulkOf(fromRedis!).equals(value)).toBe(true);
    }
    // Redis compressed the repetitive ones (LZF): mlcache read those too.
    expect(compressed).toBeGreaterThanOrEqual(3);
    // A payload with a flipped byte fails the checksum on both.
    const [, dumped] = await exchange(redisPort, [
      ['SET', 'flip', 'value'],
      ['DUMP', 'flip'],
    ]);
    const flipped = Buffer.from(bulkOf(dumped!));
    flipped[2] = (flipped[2] as number) ^ 1;
    const refused = [['RESTORE', 'flipped', '0', flipped]];
    const [redisAnswer] = await exchange(redisPort, refused);
    const [ourAnswer] = await exchange(mlcache!.port, refused);
    expect(ourAnswer!.toString('latin1')).toBe(redisAnswer!.toString('latin1'));
    // The next test compares the keyspaces: leave both empty alike.
    await exchange(redisPort, [['FLUSHALL']]);
    await exchange(mlcache!.port, [['FLUSHALL']]);
  });

  it('sends the same bytes in RESP3 after HELLO 3, and switches protocol mid-pipeline', async () => {
    const expected = await resp3Replies(redisPort);
    const actual = await resp3Replies(mlcache!.port);
    expect(expected).toHaveLength(RESP3_SCRIPT.length);
    expect(actual).toHaveLength(RESP3_SCRIPT.length);
    const differences = RESP3_SCRIPT.map((step, i) => ({
      command: step.args.join(' ').slice(0, 60),
      redis: expected[i],
      mlcache: actual[i],
    })).filter((row) => row.redis !== row.mlcache);
    expect(differences).toEqual([]);
    // The RESP3 types themselves, so that the script cannot pass by both sides staying on RESP2.
    const at = (command: string) =>
      actual[RESP3_SCRIPT.findIndex((step) => step.args.join(' ') === command)];
    expect(at('HELLO 3')?.startsWith('%7\r\n')).toBe(true);
    expect(at('MGET k missing k')).toBe('*3\r\n$1\r\nv\r\n_\r\n$1\r\nv\r\n');
    expect(at('CONFIG GET save')).toBe('%1\r\n$4\r\nsave\r\n$0\r\n\r\n');
    expect(at('INFO')).toBe('=');
    expect(at('HELLO 2')?.startsWith('*14\r\n')).toBe(true);
  });

  it('counts the same calls, rejected calls and failed calls in INFO commandstats', async () => {
    const commands = [
      ['SET', 'cs', 'text'],
      ['GET'],
      ['INCR', 'cs'],
      ['CONFIG', 'GET'],
      ['CONFIG', 'NOPE'],
      ['NOPE'],
      ['MULTI'],
      ['SET', 'cs'],
      ['GET', 'cs'],
      ['EXEC'],
      ['EXEC', 'extra'],
      ['MULTI'],
      ['INCR', 'cs'],
      ['EXEC'],
      ['AUTH', 'nopass'],
      ['SLOWLOG', 'LEN', 'x'],
      ['DEL', 'cs'],
    ];
    const expected = await countsAdded(redisPort, commands);
    expect(expected['set']).toEqual([1, 1, 0]);
    expect(await countsAdded(mlcache!.port, commands)).toEqual(expected);
  });

  it('logs the same arguments, cut and redacted alike, in SLOWLOG GET', async () => {
    const commands = [
      ['CLIENT', 'SETNAME', 'differential'],
      ['SET', 'sl', 'v'],
      ['SET', 'sl', 'x'.repeat(300)],
      ['MSET', ...Array.from({ length: 50 }, (_, i) => `m${i}`)],
      ['GET'],
      ['NOPE'],
      ['AUTH', 'secret'],
      ['AUTH', 'user', 'secret'],
      ['HELLO', '2', 'AUTH', 'default', 'secret'],
      ['MULTI'],
      ['GET', 'sl'],
      ['DEL', 'sl', 'm0'],
      ['EXEC'],
      ['SLOWLOG', 'LEN'],
    ];
    const expected = await slowLogged(redisPort, commands);
    expect(expected.length).toBeGreaterThan(10);
    expect(await slowLogged(mlcache!.port, commands)).toEqual(expected);
  });

  it('sends the same bytes for Pub/Sub: confirmations, messages, the subscribed context', async () => {
    const expected = await pubsubTranscript(redisPort);
    const actual = await pubsubTranscript(mlcache!.port);
    expect(expected.length).toBeGreaterThan(60);
    expect(expected.filter((frame) => frame === '+RESET\r\n')).toHaveLength(4);
    expect(actual).toEqual(expected);
  });

  it('reads notify-keyspace-events as Redis does, and notifies of an expired key alike', async () => {
    const expected = await keyspaceTranscript(redisPort);
    const actual = await keyspaceTranscript(mlcache!.port);
    expect(actual).toEqual(expected);
    expect(actual).toContain(
      '>3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$4\r\ngone\r\n',
    );
  });

  it('raises the generic, string, new key and key miss events of every command alike', async () => {
    const expected = await keyEventsTranscript(redisPort);
    const actual = await keyEventsTranscript(mlcache!.port);
    const message = (channel: string, text: string): string =>
      `*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$${channel.length}\r\n${channel}\r\n` +
      `$${text.length}\r\n${text}\r\n`;
    // Redis's own frames hold what the script is about, so that the comparison is not empty.
    const heard = {
      new: 'a',
      set: 'a',
      expire: 'b',
      keymiss: 'nope',
      rename_to: 'u',
      setbit: 'bb',
    };
    for (const [event, key] of Object.entries(heard)) {
      expect(expected).toContain(message(`__keyevent@0__:${event}`, key));
    }
    expect(actual).toEqual(expected);
  });

  it('sends the same bytes for CLIENT REPLY OFF, SKIP and ON, and CLIENT NO-EVICT', async () => {
    const pipeline = [
      ['SET', 'reply:k', 'v'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['GET', 'reply:k'],
      ['NOSUCH'],
      ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['GET', 'reply:k'],
      ['PING', 'after-skip'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['PING'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['NOSUCH'],
      ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'REPLY', 'ON', 'extra'],
      ['CLIENT', 'NO-EVICT', 'ON'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT'],
      ['CLIENT', 'NO-EVICT', 'off', 'extra'],
      ['CLIENT', 'NO-EVICT', 'off'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['MULTI'],
      ['GET', 'reply:k'],
      ['EXEC'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['SUBSCRIBE', 'reply:ch'],
      ['UNSUBSCRIBE', 'reply:ch'],
      ['PING'],
      ['RESET'],
      ['PING', 'end'],
      ['QUIT'],
    ];
    const transcript = async (port: number): Promise<string> => {
      const client = await RawClient.connect(port);
      client.send(encodePipeline(pipeline));
      await client.closesWithin(10_000);
      return client.text;
    };
    const expected = await transcript(redisPort);
    const actual = await transcript(mlcache!.port);
    expect(expected).toContain('$10\r\nafter-skip\r\n');
    expect(expected).toContain('$11\r\nunsubscribe\r\n');
    expect(actual).toBe(expected);
  });
});
