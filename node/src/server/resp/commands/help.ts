import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NO_KEYS } from '../command-spec.ts';
import type { CommandGroup, CommandSpec } from '../command-spec.ts';

/** A `<CONTAINER> HELP` reply: Redis's header line, the given lines, and the HELP line. */
export function helpReply(out: ReplyWriter, container: string, lines: readonly string[]): void {
  const all = [
    `${container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    'HELP',
    '    Print this help.',
  ];
  out.arrayHeader(all.length);
  for (const line of all) out.simple(line);
}

/** The HELP subcommand of `container` (OBJECT HELP, MEMORY HELP): its lines, then HELP's. */
export function helpSubcommand(
  container: string,
  group: CommandGroup,
  since: string,
  lines: readonly string[],
): CommandSpec {
  return {
    name: 'help',
    arity: 2,
    flags: ['loading', 'stale'],
    ...NO_KEYS,
    group,
    summary: 'Returns helpful text about the different subcommands.',
    since,
    handler: (_session, _args, out) => helpReply(out, container, lines),
  };
}
