import { NO_KEYS, SECOND_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import { helpSubcommand } from './help.ts';

/**
 * MEMORY USAGE key [SAMPLES count], and MEMORY HELP. The figure is what the memory budget is
 * charged for the entry (entry-size.ts, plus the policy's state per entry), the number eviction
 * works with, so `redis-cli --memkeys` ranks keys by what they cost the cache. SAMPLES is checked
 * as Redis checks it and otherwise ignored: a string has nothing nested to sample.
 */
export const MEMORY_COMMAND: CommandSpec = {
  name: 'memory',
  arity: -2,
  flags: [],
  ...NO_KEYS,
  group: 'server',
  summary: 'A container for memory diagnostics commands.',
  since: '4.0.0',
  subcommands: [
    {
      name: 'usage',
      arity: -3,
      flags: ['readonly'],
      ...SECOND_KEY,
      group: 'server',
      summary: 'Estimates the memory usage of a key.',
      since: '4.0.0',
      handler: (session, args, out) => {
        for (let i = 3; i < args.count; i++) {
          if (!args.is(i, 'samples') || i + 1 >= args.count) return out.error(ERRORS.SYNTAX);
          const samples = args.integer(++i);
          if (Number.isNaN(samples)) return out.error(ERRORS.NOT_INTEGER);
          if (samples < 0) return out.error(ERRORS.SYNTAX);
        }
        const bytes = session.store.memoryUsage(args.latin1(2));
        if (bytes < 0) out.nullBulk();
        else out.integer(bytes);
      },
    },
    helpSubcommand('MEMORY', 'server', '4.0.0', [
      'USAGE <key> [SAMPLES <count>]',
      '    Return memory in bytes used by <key> and its value: what the memory budget',
      "    (maxmemory) is charged for it, the eviction policy's state included.",
    ]),
  ],
};
