import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { parseReply } from '../../src/protocol/resp/reply-parser.ts';
import { RawClient, startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';

/**
 * Differential test: the same commands, pipelined on one connection, against a real redis-server
 * and against mlcache; the reply bytes must be identical. Covers the exact wording of errors and
 * the edge cases of option parsing. Skipped when redis-server is not installed.
 */
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
  ['FLUSHALL', 'later'],
  ['FLUSHALL', 'ASYNC', 'SYNC'],
  ['FLUSHDB'],
  ['DBSIZE'],
  ['SCAN', '0'],
  ['SET', 'x'.repeat(10), 'y'],
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
  { args: ['FLUSHALL'] },
  { args: ['SCAN', '0'] },
  { args: ['SET', 'x'.repeat(10), 'y'] },
  { args: ['SCAN', '0', 'MATCH', 'x*'] },
  { args: ['NOPE'] },
  { args: ['QUIT'] },
];

let redis: ChildProcess | undefined;
let redisPort = 0;
let mlcache: TestServer | undefined;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const available = await new Promise<boolean>((resolve) => {
  const child = spawn('redis-server', ['--version']);
  child.on('error', () => resolve(false));
  child.on('exit', (code) => resolve(code === 0));
});
if (!available)
  console.warn(
    'redis-server not installed: skipping the differential test (apt-get install -y redis-server)',
  );

/** Each reply of the script as its bytes (latin1). */
async function replies(port: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline(SCRIPT));
  await client.closesWithin(10_000);
  return split(Buffer.from(client.text, 'latin1'));
}

/** Cuts a stream of replies into each reply's bytes (latin1). */
function split(bytes: Buffer): string[] {
  const replies: string[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const parsed = parseReply(bytes, offset);
    if (parsed === undefined) throw new Error(`incomplete reply at ${offset}`);
    replies.push(bytes.toString('latin1', offset, parsed.next));
    offset = parsed.next;
  }
  return replies;
}

/** Each reply of the RESP3 script as its bytes (latin1), prepared for comparison. */
async function resp3Replies(port: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  client.send(encodePipeline(RESP3_SCRIPT.map((step) => step.args)));
  await client.closesWithin(10_000);
  return split(Buffer.from(client.text, 'latin1')).map((reply, i) =>
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

describe.skipIf(!available)('mlcache against redis-server', () => {
  beforeAll(async () => {
    redisPort = await freePort();
    redis = spawn('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    for (let i = 0; i < 100; i++) {
      const up = await RawClient.connect(redisPort).then(
        (client) => (client.destroy(), true),
        () => false,
      );
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    mlcache = await startTestServer();
  });

  afterAll(async () => {
    redis?.kill();
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
});
