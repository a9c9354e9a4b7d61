import { NO_KEYS } from '../command-spec.ts';
import type { CommandFlag, CommandHandler, CommandSpec } from '../command-spec.ts';
import { helpSubcommand } from './help.ts';

const ADMIN: readonly CommandFlag[] = ['admin', 'loading', 'stale'];
const COUNT_ERROR = 'ERR count should be greater than or equal to -1';
/** SLOWLOG GET's count when none is given, as in Redis. */
const DEFAULT_COUNT = 10;

/** SLOWLOG GET [count]: the newest entries first, each Redis 7's six-element array. */
const get: CommandHandler = (session, args, out) => {
  if (args.count > 3) {
    // Redis's addReplySubcommandSyntaxError, with the subcommand as typed.
    return out.error(
      `ERR unknown subcommand or wrong number of arguments for '${args.latin1(1).slice(0, 128)}'. ` +
        'Try SLOWLOG HELP.',
    );
  }
  const log = session.server.slowLog;
  let count = DEFAULT_COUNT;
  if (args.count === 3) {
    count = args.integer(2);
    if (!(count >= -1)) return out.error(COUNT_ERROR);
  }
  const entries = log.newest(count);
  out.arrayHeader(entries.length);
  for (const entry of entries) {
    out.arrayHeader(6);
    out.integer(entry.id);
    out.integer(entry.time);
    out.integer(entry.durationUs);
    out.arrayHeader(entry.args.length);
    for (const arg of entry.args) out.bulk(arg);
    out.bulkLatin1(entry.client);
    out.bulkUtf8(entry.clientName);
  }
};

/** What SLOWLOG's GET, LEN and RESET have in common. */
const SUBCOMMAND = { flags: ADMIN, ...NO_KEYS, group: 'server', since: '2.2.12' } as const;

/** SLOWLOG GET, LEN, RESET and HELP over the server's SlowLog (slow-log.ts). */
export const SLOWLOG_COMMAND: CommandSpec = {
  name: 'slowlog',
  arity: -2,
  flags: [],
  ...NO_KEYS,
  group: 'server',
  summary: 'A container for slow log commands.',
  since: '2.2.12',
  subcommands: [
    {
      ...SUBCOMMAND,
      name: 'get',
      arity: -2,
      summary: "Returns the slow log's entries.",
      handler: get,
    },
    {
      ...SUBCOMMAND,
      name: 'len',
      arity: 2,
      summary: 'Returns the number of entries in the slow log.',
      handler: (session, _args, out) => out.integer(session.server.slowLog.length),
    },
    {
      ...SUBCOMMAND,
      name: 'reset',
      arity: 2,
      summary: 'Clears all entries from the slow log.',
      handler: (session, _args, out) => {
        session.server.slowLog.reset();
        out.ok();
      },
    },
    helpSubcommand('SLOWLOG', 'server', '6.2.0', [
      'GET [<count>]',
      '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
      '    Entries are made of:',
      '    id, timestamp, time in microseconds, arguments array, client IP and port,',
      '    client name',
      'LEN',
      '    Return the length of the slowlog.',
      'RESET',
      '    Reset the slowlog.',
    ]),
  ],
};
