import { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import type { CommandEntry, CommandRegistry } from '../command-registry.ts';
import { keyRangeOf, NO_KEYS } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import { globMatch } from '../glob.ts';
import type { Session } from '../session.ts';
import { helpReply } from './help.ts';

const FLAGS = ['loading', 'stale'] as const;

/** ACL categories whose names are not their group's (Redis's). */
const CATEGORY_OF_GROUP: Readonly<Partial<Record<string, string>>> = {
  generic: '@keyspace',
  transactions: '@transaction',
};
/**
 * COMMAND and its subcommands, in Redis 7's reply shapes: enough for redis-cli (which reads
 * COMMAND DOCS for its hints) and for client libraries that read key positions from COMMAND INFO.
 */
export const COMMAND_COMMAND: CommandSpec = {
  name: 'command',
  arity: -1,
  flags: FLAGS,
  ...NO_KEYS,
  group: 'server',
  summary: 'Returns detailed information about all commands.',
  since: '2.8.13',
  handler: (session, _args, out) => {
    const registry = session.server.registry;
    out.arrayHeader(registry.size);
    for (const entry of registry.commands()) writeInfo(out, entry);
  },
  subcommands: [
    sub('count', 2, 'Returns a count of commands.', '2.8.13', (session, _args, out) =>
      out.integer(session.server.registry.size),
    ),
    sub('list', -2, 'Returns a list of command names.', '7.0.0', list),
    sub('info', -2, 'Returns information about one, multiple or all commands.', '2.8.13', info),
    sub(
      'docs',
      -2,
      'Returns documentary information about one, multiple or all commands.',
      '7.0.0',
      docs,
    ),
    sub('getkeys', -4, 'Extracts the key names from an arbitrary command.', '2.8.13', getKeys),
    sub(
      'help',
      2,
      'Returns helpful text about the different subcommands.',
      '5.0.0',
      (_session, _args, out) =>
        helpReply(out, 'COMMAND', [
          '(no subcommand)',
          '    Return details about all Redis commands.',
          'COUNT',
          '    Return the total number of commands in this Redis server.',
          'LIST',
          '    Return a list of all commands in this Redis server.',
          'INFO [<command-name> ...]',
          '    Return details about multiple Redis commands.',
          'DOCS [<command-name> ...]',
          '    Return documentation details about multiple Redis commands.',
          'GETKEYS <full-command>',
          '    Return the keys from a full Redis command.',
        ]),
    ),
  ],
};

function sub(
  name: string,
  arity: number,
  summary: string,
  since: string,
  handler: NonNullable<CommandSpec['handler']>,
): CommandSpec {
  return { name, arity, flags: FLAGS, ...NO_KEYS, group: 'server', summary, since, handler };
}

/**
 * Redis 7's 10-element command info: name, arity, flags, keys, ACL categories, tips, key specs,
 * subcommands. In RESP3 flags, categories, tips and key specs are sets, and so is an empty list
 * of subcommands (`~0`, a quirk of Redis 7 kept for identical bytes); subcommands are an array.
 */
function writeInfo(out: ReplyWriter, entry: CommandEntry): void {
  const spec = entry.spec;
  out.arrayHeader(10);
  out.bulkLatin1(entry.fullName);
  out.integer(spec.arity);
  out.setHeader(spec.flags.length);
  for (const flag of spec.flags) out.simple(flag === 'noauth' ? 'no_auth' : flag);
  out.integer(spec.firstKey);
  out.integer(spec.lastKey);
  out.integer(spec.step);
  const categories = aclCategories(spec);
  out.setHeader(categories.length);
  for (const category of categories) out.simple(category);
  out.setHeader(0); // tips
  out.setHeader(0); // key specifications: clients fall back to first/last/step
  const subs = entry.subcommands ? [...entry.subcommands.values()] : [];
  if (subs.length === 0) return out.setHeader(0);
  out.arrayHeader(subs.length);
  for (const subEntry of subs) writeInfo(out, subEntry);
}

function aclCategories(spec: CommandSpec): string[] {
  const categories: string[] = [];
  if (spec.flags.includes('write')) categories.push('@write');
  if (spec.flags.includes('readonly')) categories.push('@read');
  categories.push(CATEGORY_OF_GROUP[spec.group] ?? `@${spec.group}`);
  if (spec.flags.includes('admin')) categories.push('@admin', '@dangerous');
  categories.push(spec.flags.includes('fast') ? '@fast' : '@slow');
  return categories;
}

/** Commands named by arguments 2.., or every command when there are none. */
function named(session: Session, args: CommandArgs): (CommandEntry | undefined)[] {
  const registry = session.server.registry;
  if (args.count === 2) return [...registry.commands()];
  const entries: (CommandEntry | undefined)[] = [];
  for (let i = 2; i < args.count; i++) entries.push(registry.find(args.latin1(i)));
  return entries;
}

function info(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const entries = named(session, args);
  out.arrayHeader(entries.length);
  for (const entry of entries) {
    // Redis's addReplyNull: `$-1` in RESP2 (not a null array), `_` in RESP3.
    if (entry === undefined) out.nullBulk();
    else writeInfo(out, entry);
  }
}

/** COMMAND DOCS: a map (flattened to an array in RESP2) of name to its summary, since and group. */
function docs(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const entries = named(session, args).filter((entry) => entry !== undefined);
  out.mapHeader(entries.length);
  for (const entry of entries) {
    out.bulkLatin1(entry.fullName);
    writeDoc(out, entry);
  }
}

function writeDoc(out: ReplyWriter, entry: CommandEntry): void {
  const subs = entry.subcommands ? [...entry.subcommands.values()] : [];
  out.mapHeader(subs.length > 0 ? 4 : 3);
  out.bulkLatin1('summary');
  out.bulkUtf8(entry.spec.summary);
  out.bulkLatin1('since');
  out.bulkLatin1(entry.spec.since);
  out.bulkLatin1('group');
  out.bulkLatin1(entry.spec.group);
  if (subs.length === 0) return;
  out.bulkLatin1('subcommands');
  out.mapHeader(subs.length);
  for (const subEntry of subs) {
    out.bulkLatin1(subEntry.fullName);
    writeDoc(out, subEntry);
  }
}

/** COMMAND LIST [FILTERBY PATTERN p | ACLCAT c | MODULE m]: names, subcommands included. */
function list(session: Session, args: CommandArgs, out: ReplyWriter): void {
  let keep: (entry: CommandEntry) => boolean = () => true;
  if (args.count > 2) {
    if (args.count !== 5 || !args.is(2, 'filterby')) return out.error(ERRORS.SYNTAX);
    const value = args.latin1(4);
    if (args.is(3, 'pattern')) keep = (entry) => globMatch(value, entry.fullName, true);
    else if (args.is(3, 'aclcat'))
      keep = (entry) => aclCategories(entry.spec).includes(`@${value.toLowerCase()}`);
    else if (args.is(3, 'module')) keep = () => false;
    else return out.error(ERRORS.SYNTAX);
  }
  const names = [...session.server.registry.entries()].filter(keep).map((entry) => entry.fullName);
  out.arrayHeader(names.length);
  for (const name of names) out.bulkLatin1(name);
}

/** COMMAND GETKEYS command arg...: the key arguments, from the command's key positions. */
function getKeys(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const registry: CommandRegistry = session.server.registry;
  let entry = registry.find(args.latin1(2));
  const shift = 2;
  if (entry?.subcommands && args.count > 3) {
    entry = entry.subcommands.get(args.lower(3));
  }
  if (entry === undefined) return out.error('ERR Invalid command specified');
  const count = args.count - shift;
  if (!entry.acceptsArgCount(count))
    return out.error('ERR Invalid number of arguments specified for command');
  if (entry.spec.firstKey === 0 && entry.spec.movableKeys === undefined) {
    return out.error('ERR The command has no key arguments');
  }
  // The command's own arguments (EVAL's keys are found from its numkeys among them).
  const own = CommandArgs.fromBuffers(args.toBuffers().slice(shift));
  const { first, last, step } = keyRangeOf(entry.spec, own);
  const positions: number[] = [];
  for (let i = first; i > 0 && i <= last && i < count; i += step) positions.push(i + shift);
  out.arrayHeader(positions.length);
  for (const at of positions) out.bulk(args.buffer, args.starts[at], args.ends[at]);
}
