import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';

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
