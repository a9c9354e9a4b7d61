import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../cluster/shard-of.ts';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { createGatewayCommands } from '../commands/gateway-command-table.ts';
import { allOk, andIntegerArrays, sameReply } from './broadcast.ts';
import { isMirroredScript, scriptBroadcastOf, scriptShard } from './script-route.ts';

const args = (...parts: (string | Buffer)[]): CommandArgs =>
  CommandArgs.fromBuffers(parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part))));
const sha1 = (body: Buffer): string => createHash('sha1').update(body).digest('hex');

describe('scriptShard', () => {
  it('sends EVAL of a body and EVALSHA of its SHA-1, in either case, to one shard', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(16, 4096), (bytes, count) => {
        const body = Buffer.from(bytes);
        const sha = sha1(body);
        const mask = count - 1;
        const byEval = scriptShard(args('EVAL', body, '0'), false, mask);
        expect(byEval).toBe(shardOf(sha, count));
        expect(scriptShard(args('EVALSHA', sha, '0'), true, mask)).toBe(byEval);
        expect(scriptShard(args('EVALSHA_RO', sha.toUpperCase(), '0'), true, mask)).toBe(byEval);
      }),
    );
  });

  it('spreads scripts over the shards rather than hashing every body alike', () => {
    const shards = new Set(
      Array.from({ length: 64 }, (_, i) =>
        scriptShard(args('EVAL', `return ${i}`, '0'), false, 4095),
      ),
    );
    expect(shards.size).toBeGreaterThan(32);
  });
});

describe('SCRIPT subcommands at the gateway', () => {
  const { registry } = createGatewayCommands();
  const sub = (name: string) => {
    const entry = registry.find(`script|${name}`);
    if (entry === undefined) throw new Error(`no SCRIPT ${name}`);
    return entry;
  };

  it('broadcasts LOAD, FLUSH and EXISTS; answers KILL, DEBUG and HELP locally', () => {
    expect(scriptBroadcastOf(sub('load'))).toBe(sameReply);
    expect(scriptBroadcastOf(sub('flush'))).toBe(allOk);
    expect(scriptBroadcastOf(sub('exists'))).toBe(andIntegerArrays);
    for (const name of ['kill', 'debug', 'help']) {
      expect(scriptBroadcastOf(sub(name)), name).toBeUndefined();
    }
  });

  it('copies to mirrors only what changes a script cache', () => {
    expect(isMirroredScript(sub('load'))).toBe(true);
    expect(isMirroredScript(sub('flush'))).toBe(true);
    for (const name of ['exists', 'kill', 'debug', 'help']) {
      expect(isMirroredScript(sub(name)), name).toBe(false);
    }
  });
});
