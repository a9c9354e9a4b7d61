import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandRegistry } from './command-registry.ts';
import type { CommandSpec } from './command-spec.ts';
import { COMMAND_TABLE } from './command-table.ts';

/** The table's invariants (garnet's table-consistency tests). */
function everySpec(): { spec: CommandSpec; fullName: string; container?: CommandSpec }[] {
  const out: { spec: CommandSpec; fullName: string; container?: CommandSpec }[] = [];
  for (const spec of COMMAND_TABLE) {
    out.push({ spec, fullName: spec.name });
    for (const sub of spec.subcommands ?? [])
      out.push({ spec: sub, fullName: `${spec.name}|${sub.name}`, container: spec });
  }
  return out;
}

/** Commands that change the keyspace: each must be flagged `write` (durability, MISCONF). */
const MUTATING = [
  'set',
  'setex',
  'psetex',
  'setnx',
  'getset',
  'setrange',
  'setbit',
  'bitop',
  'bitfield',
  'pfadd',
  'pfmerge',
  'incrbyfloat',
  'msetnx',
  'rename',
  'renamenx',
  'copy',
  'restore',
  'getdel',
  'getex',
  'mset',
  'incr',
  'decr',
  'incrby',
  'decrby',
  'append',
  'del',
  'unlink',
  'flushdb',
  'flushall',
  'expire',
  'pexpire',
  'expireat',
  'pexpireat',
  'persist',
];

describe('the command table', () => {
  it('has unique lowercase names and builds a registry without hash collisions', () => {
    const names = COMMAND_TABLE.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect(() => new CommandRegistry(COMMAND_TABLE)).not.toThrow();
    for (const spec of COMMAND_TABLE) {
      const subs = (spec.subcommands ?? []).map((sub) => sub.name);
      expect(new Set(subs).size, spec.name).toBe(subs.length);
    }
  });

  it('has sane arities and key positions', () => {
    for (const { spec, fullName, container } of everySpec()) {
      expect(Number.isInteger(spec.arity) && spec.arity !== 0, fullName).toBe(true);
      if (container) expect(Math.abs(spec.arity), fullName).toBeGreaterThanOrEqual(2);
      if (spec.firstKey === 0) {
        expect([spec.lastKey, spec.step], fullName).toEqual([0, 0]);
      } else {
        expect(spec.step, fullName).toBeGreaterThan(0);
        expect(spec.lastKey === -1 || spec.lastKey >= spec.firstKey, fullName).toBe(true);
        // A command with keys must accept at least its first key.
        expect(Math.abs(spec.arity), fullName).toBeGreaterThan(spec.firstKey);
      }
      expect(spec.handler !== undefined || (spec.subcommands?.length ?? 0) > 0, fullName).toBe(
        true,
      );
    }
  });

  it('flags every mutating command write, and no command both write and readonly', () => {
    const byName = new Map(everySpec().map(({ spec, fullName }) => [fullName, spec]));
    for (const name of MUTATING) expect(byName.get(name)?.flags, name).toContain('write');
    for (const { spec, fullName } of everySpec()) {
      expect(spec.flags.includes('write') && spec.flags.includes('readonly'), fullName).toBe(false);
      if (spec.flags.includes('denyoom')) expect(spec.flags, fullName).toContain('write');
    }
    const writes = everySpec()
      .filter(({ spec }) => spec.flags.includes('write'))
      .map(({ fullName }) => fullName);
    expect(writes.sort()).toEqual([...MUTATING].sort());
  });

  it('lets only AUTH, HELLO, QUIT and RESET run before authentication', () => {
    const noauth = everySpec()
      .filter(({ spec }) => spec.flags.includes('noauth'))
      .map(({ fullName }) => fullName);
    expect(noauth.sort()).toEqual(['auth', 'hello', 'quit', 'reset']);
  });

  it('documents every command for COMMAND DOCS', () => {
    for (const { spec, fullName } of everySpec()) {
      expect(spec.summary.length, fullName).toBeGreaterThan(5);
      expect(spec.since, fullName).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('refuses duplicates and non-lowercase names', () => {
    const get = COMMAND_TABLE.find((spec) => spec.name === 'get') as CommandSpec;
    expect(() => new CommandRegistry([get, get])).toThrow(/duplicate/);
    expect(() => new CommandRegistry([{ ...get, name: 'GET' }])).toThrow(/lowercase/);
  });

  it('is listed in full, subcommands too, in docs/redis-compatibility.md', () => {
    const page = readFileSync(
      new URL('../../../../docs/redis-compatibility.md', import.meta.url),
      'utf8',
    );
    // Words, and hyphenated names (CLIENT NO-EVICT, NO-TOUCH) whole.
    const words = new Set(
      [...page.matchAll(/[A-Z_]+(?:-[A-Z_]+)*/g)].flatMap(([w]) => [w, ...w.split('-')]),
    );
    for (const { spec } of everySpec())
      expect(words.has(spec.name.toUpperCase()), spec.name).toBe(true);
  });
});
