import { describe, expect, it } from 'vitest';
import { createMlHybridPolicy } from '../../../policy/ml-hybrid.ts';
import type { MlHybridOptions } from '../../../policy/ml-hybrid.ts';
import { createRandom } from '../../../util/random.ts';
import { constantModel, scorer, sensible } from '../../../policy/test-ml-drive.ts';
import type { MlHybridParams } from '../../../policy/ml-hybrid-params.ts';
import type { Scorer } from '../../../policy/scorer-port.ts';
import { CommandHarness } from '../testing/command-harness.ts';

function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

describe('server commands', () => {
  it('INFO reports the default sections with keyspace and hit counters', () => {
    const h = new CommandHarness({ nodeName: 'node-a', storeOptions: { maxMemory: 1 << 20 } });
    h.run('SET', 'a', '1');
    h.run('SET', 'b', '2', 'EX', '100');
    h.run('GET', 'a');
    h.run('GET', 'missing');
    const text = h.run('INFO') as string;
    expect(text).toMatch(/^# Server\r\n/);
    expect(text).toContain('\r\n\r\n# Clients\r\n');
    expect(text).not.toContain('# Commandstats');
    const fields = infoFields(text);
    expect(fields.get('redis_version')).toBe('7.2.0');
    expect(fields.get('mlcache_node')).toBe('node-a');
    expect(fields.get('tcp_port')).toBe('6379');
    expect(fields.get('loading')).toBe('0');
    expect(fields.get('keyspace_hits')).toBe('1');
    expect(fields.get('keyspace_misses')).toBe('1');
    expect(fields.get('maxmemory')).toBe(String(1 << 20));
    expect(fields.get('maxmemory_policy')).toBe('lru');
    expect(fields.get('db0')).toBe('keys=2,expires=1,avg_ttl=0');
    expect(fields.get('role')).toBe('master');
  });

  it("INFO memory reports what the store's structures hold, and it falls after mass deletes", () => {
    const h = new CommandHarness();
    const field = (name: string): number => {
      const match = new RegExp(`${name}:(\\d+)`).exec(h.run('INFO', 'memory') as string);
      return Number(match?.[1]);
    };
    for (let i = 0; i < 20_000; i++) h.run('SET', `key:${i}`, 'v'.repeat(64));
    const cells = field('mlcache_store_index_cells');
    const reserved = field('mlcache_store_reserved_bytes');
    expect(cells).toBeGreaterThanOrEqual(20_000);
    expect(field('mlcache_store_arena_bytes')).toBeGreaterThan(20_000 * 64);
    for (let i = 0; i < 19_500; i++) h.run('DEL', `key:${i}`);
    for (let i = 0; i < 2_000; i++) h.run('GET', `key:${19_999 - (i % 500)}`);
    expect(field('mlcache_store_index_cells')).toBeLessThan(cells);
    expect(field('mlcache_store_reserved_bytes')).toBeLessThan(reserved);
  });

  it('INFO sections by name, all and everything', () => {
    const h = new CommandHarness();
    h.run('GET', 'x');
    expect(h.run('INFO', 'memory')).toMatch(/^# Memory\r\nused_memory:\d+\r\n/);
    expect(h.run('INFO', 'keyspace')).toBe('# Keyspace\r\n');
    expect(h.run('INFO', 'nonsense')).toBe('');
    const all = h.run('INFO', 'all') as string;
    expect(all).toContain('cmdstat_get:calls=1,');
    expect(all).not.toContain('# Modules');
    expect(h.run('INFO', 'everything') as string).toContain('# Modules');
    const two = h.run('INFO', 'SERVER', 'clients') as string;
    expect(two.match(/^# /gm)).toEqual(['# ', '# ']);
  });

  it('INFO ml reports what the plain base policy would hit in the same memory', () => {
    // 64 KB: the plain LFU holds about 290 entries of these 228 bytes, the learned node about
    // 160 (each 168 bytes heavier, and its evicted-keys table takes 5% off the top). On uniform
    // SETs of 400 keys the plain one hits about three quarters, the learned node and its base
    // about 0.4.
    const fields = uniformSets(64 << 10, sensible, 400, 20_000, 5);
    const plain = Number(fields.get('ml_shadow_plain_hit_ratio'));
    expect(plain).toBeGreaterThan(0.6);
    expect(plain).toBeLessThan(0.8);
    expect(Number(fields.get('ml_shadow_base_hit_ratio'))).toBeLessThan(0.5);
    expect(Number(fields.get('ml_shadow_live_hit_ratio'))).toBeLessThan(0.5);
  });

  it('a learned node that trails the plain base in the same memory runs as that base, and tries learning again later', () => {
    // The first test's load: the learned node holds about 145 of the 400 keys and hits about
    // 0.36, the plain LFU would hold about 290 and hit about 0.75. Running plain, the node
    // charges nothing per entry for its learned state and holds about 270 keys (the audit's
    // pairs still take about 6 KB of the 64).
    const ml = mlLfuHarness(64 << 10, { scorer: sensible, params: { plainProbation: 100_000 } });
    const random = createRandom(5);
    let hits = 0;
    const hitRatios: number[] = [];
    for (let i = 1; i <= 300_000; i++) {
      const key = `key:${random.int(400)}`;
      if (ml.run('GET', key) !== null) hits++;
      else ml.run('SET', key, 'v'.repeat(100));
      if (i % 50_000 === 0) {
        hitRatios.push(hits / 50_000);
        hits = 0;
      }
    }
    const fields = infoFields(ml.run('INFO', 'ml') as string);
    expect(Number(fields.get('ml_plain_switches'))).toBeGreaterThanOrEqual(2);
    // Learning was tried again after 100K requests, and the probation doubled when it lost.
    expect(Number(fields.get('ml_plain_wakes'))).toBeGreaterThanOrEqual(1);
    expect(fields.get('ml_plain_probation_requests')).toBe('200000');
    expect(Number(fields.get('ml_fallbacks_plain'))).toBeGreaterThan(50_000);
    expect(fields.get('ml_plain_mode')).toBe('1');
    expect(ml.run('DBSIZE') as number).toBeGreaterThan(260);
    // Only plain windows after the first: each above the learned node's 0.36.
    for (const ratio of hitRatios.slice(1)) expect(ratio).toBeGreaterThan(0.5);
  });

  it('judges a learned node against its base in the room its entries have, not the whole budget', () => {
    // A model that scores every row alike: on uniform SETs whatever it evicts, it does as well
    // as its LFU base. The evicted-keys table takes 5% of the 256 KB, so the entries have 95% of
    // it. A shadow of the base given the whole budget hit about 0.42 against the live 0.39, and
    // the policy fell back for a model that cost nothing.
    const fields = uniformSets(
      256 << 10,
      scorer(() => 0),
      1_600,
      200_000,
      1,
    );
    expect(fields.get('ml_fallbacks_shadow')).toBe('0');
    const live = Number(fields.get('ml_shadow_live_hit_ratio'));
    expect(live).toBeGreaterThan(0.3);
    expect(Math.abs(live - Number(fields.get('ml_shadow_base_hit_ratio')))).toBeLessThan(0.01);
  });

  it("INFO ml reports a learned policy's model, deciders, breaker, shadow and prior; other policies have no such section", () => {
    const ml = mlLfuHarness(64 << 10, {
      scorer: sensible,
      trainer: { train: () => constantModel(1) },
      params: { firstTrainAt: 16, retrainEvery: 64 },
    });
    for (let i = 0; i < 4_000; i++) ml.run('SET', `key:${i % 1_500}`, 'v'.repeat(100));
    const fields = infoFields(ml.run('INFO', 'ml') as string);
    expect(fields.get('ml_policy')).toBe('ml-lfu');
    expect(Number(fields.get('ml_model_version'))).toBeGreaterThan(0);
    const evictions =
      Number(fields.get('ml_evictions_model')) + Number(fields.get('ml_evictions_base'));
    expect(evictions).toBeGreaterThan(1_000);
    expect(fields.get('ml_breaker_state')).toBe('closed');
    expect(fields.get('ml_base_order')).toMatch(/^(lru|lfu)$/);
    expect(fields.get('ml_prior_evictions')).toMatch(/^\d+$/);
    expect(fields.get('ml_prior_guard_trips')).toBe('0');
    // 5% of the 64 KB budget, 80 bytes a key.
    expect(fields.get('ml_evicted_keys_capacity')).toBe('40');
    expect(fields.get('ml_evicted_keys_remembered')).toBe('40');
    expect((ml.run('INFO') as string).includes('# ML\r\n')).toBe(true);
    expect(new CommandHarness().run('INFO', 'ml')).toBe('');
  });

  it('CONFIG GET matches globs without regard to case', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1000 } });
    expect(h.run('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', '1000']);
    expect(h.run('CONFIG', 'GET', 'MAXMEMORY*')).toEqual([
      'maxmemory',
      '1000',
      'maxmemory-policy',
      'lru',
    ]);
    expect(h.run('CONFIG', 'GET', 'save', 'appendonly', 'save')).toEqual([
      'save',
      '',
      'appendonly',
      'no',
    ]);
    expect(h.run('CONFIG', 'GET', 'databases')).toEqual(['databases', '1']);
    expect(h.run('CONFIG', 'GET', 'nothing-like-this')).toEqual([]);
    expect(h.run('CONFIG', 'GET')).toEqual({
      error: "ERR wrong number of arguments for 'config|get' command",
    });
  });

  it('CONFIG SET changes maxmemory and refuses the rest', () => {
    const h = new CommandHarness();
    expect(h.run('CONFIG', 'SET', 'maxmemory', '2mb')).toBe('OK');
    expect(h.run('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(2 * 1024 * 1024)]);
    expect(h.run('CONFIG', 'SET', 'save', '')).toBe('OK');
    expect(h.run('CONFIG', 'SET', 'appendonly', 'yes')).toEqual({
      error:
        'ERR CONFIG SET failed (possibly related to argument \'appendonly\') - mlcache does not support "yes"',
    });
    expect(h.run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - can't set immutable config",
    });
    expect(h.run('CONFIG', 'SET', 'bogus', '1')).toEqual({
      error: "ERR Unknown option or number of arguments for CONFIG SET - 'bogus'",
    });
    expect(h.run('CONFIG', 'SET', 'maxmemory', 'lots')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    // Checked before anything is applied.
    expect(h.run('CONFIG', 'SET', 'maxmemory', '1mb', 'appendonly', 'yes')).toHaveProperty('error');
    expect(h.run('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(2 * 1024 * 1024)]);
    expect(h.run('CONFIG', 'REWRITE')).toEqual({
      error: "ERR unknown subcommand 'REWRITE'. Try CONFIG HELP.",
    });
  });

  it('TIME: Unix seconds and the microseconds within them, from the injected clock', () => {
    const h = new CommandHarness();
    const now = h.clock.now();
    expect(h.run('TIME')).toEqual([String(Math.floor(now / 1000)), String((now % 1000) * 1000)]);
    h.clock.advance(1234);
    const later = now + 1234;
    expect(h.run('TIME')).toEqual([
      String(Math.floor(later / 1000)),
      String((later % 1000) * 1000),
    ]);
    expect(h.run('TIME', 'x')).toEqual({
      error: "ERR wrong number of arguments for 'time' command",
    });
  });

  it('COMMAND, COUNT, INFO, LIST, DOCS and GETKEYS', () => {
    const h = new CommandHarness();
    const count = h.run('COMMAND', 'COUNT') as number;
    expect(count).toBeGreaterThan(30);
    expect(h.run('COMMAND') as unknown[]).toHaveLength(count);
    expect(h.run('COMMAND', 'INFO', 'get', 'nope')).toEqual([
      ['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast'], [], [], []],
      null,
    ]);
    const [mset] = h.run('COMMAND', 'INFO', 'MSET') as unknown[][];
    expect(mset?.slice(0, 6)).toEqual(['mset', -3, ['write', 'denyoom'], 1, -1, 2]);
    const list = h.run('COMMAND', 'LIST') as string[];
    expect(list).toContain('config|get');
    expect(h.run('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'get*')).toEqual([
      'get',
      'getdel',
      'getex',
      'getset',
      'getrange',
      'getbit',
    ]);
    const docs = h.run('COMMAND', 'DOCS', 'get') as unknown[];
    expect(docs[0]).toBe('get');
    expect(docs[1]).toEqual([
      'summary',
      'Returns the string value of a key.',
      'since',
      '1.0.0',
      'group',
      'string',
    ]);
    expect(h.run('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toEqual(['a', 'b']);
    expect(h.run('COMMAND', 'GETKEYS', 'PING', 'x')).toEqual({
      error: 'ERR The command has no key arguments',
    });
    expect(h.run('COMMAND', 'GETKEYS', 'NOPE', 'x')).toEqual({
      error: 'ERR Invalid command specified',
    });
  });
});

/**
 * `INFO ml` of an ML+LFU store of `maxMemory` bytes scoring with `model` after `sets` SETs of
 * 100-byte values to keys drawn uniformly from `keys` (seeded).
 */
/** Commands against a store of `maxMemory` bytes run by ML+LFU with `options`. */
function mlLfuHarness(maxMemory: number, options: Partial<MlHybridOptions>): CommandHarness {
  return new CommandHarness({
    storeOptions: {
      maxMemory,
      policy: (o) => createMlHybridPolicy({ ...o, base: 'lfu', ...options }),
    },
  });
}

function uniformSets(
  maxMemory: number,
  model: Scorer,
  keys: number,
  sets: number,
  seed: number,
  params: Partial<MlHybridParams> = { plainSustain: 0 },
): Map<string, string> {
  const ml = mlLfuHarness(maxMemory, { scorer: model, params });
  const random = createRandom(seed);
  for (let i = 0; i < sets; i++) ml.run('SET', `key:${random.int(keys)}`, 'v'.repeat(100));
  return infoFields(ml.run('INFO', 'ml') as string);
}
