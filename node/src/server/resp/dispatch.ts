import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { CommandEntry } from './command-registry.ts';
import type { BlockedCommand } from './command-router.ts';
import { ERRORS, unknownCommand, unknownSubcommand, wrongArity } from './errors.ts';
import type { Session } from './session.ts';

/**
 * Runs one decoded command and writes exactly one reply, checking in Redis's order: unknown
 * command, unknown subcommand, arity, authentication, then refused writes (MISCONF), then, on a
 * cluster node, the router (command-router.ts). Returns the command's entry when it was a write
 * that ran and did not reply with an error: the caller must then wait for durability before
 * sending its reply. Otherwise returns undefined. When the router makes the command wait, nothing
 * is written and `session.blocked` is set: the caller runs it later with `resumeBlocked`.
 */
export function dispatch(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
): CommandEntry | undefined {
  const server = session.server;
  const stats = server.stats;
  const errorsBefore = out.errors;
  // The writer is shared by every connection: it speaks this session's protocol from here on.
  out.resp3 = session.resp3;
  stats.totalCommands++;

  let entry = server.registry.lookup(args);
  if (entry === undefined) {
    out.error(unknownCommand(args.latin1(0), restOf(args, 1)));
    stats.errorReplies++;
    return undefined;
  }
  if (entry.subcommands !== undefined && args.count >= 2) {
    const sub = entry.subcommands.get(args.lower(1));
    if (sub === undefined) {
      entry.calls++;
      entry.errors++;
      out.error(unknownSubcommand(args.latin1(1), entry.spec.name));
      stats.errorReplies++;
      return undefined;
    }
    entry = sub;
  }
  entry.calls++;
  session.lastCommand = entry.fullName;
  let handler = rejection(session, entry, args.count) ?? entry.handler;
  const router = server.router;
  if (router !== undefined && typeof handler === 'function') {
    const verdict = router.route(entry, args);
    if (typeof verdict === 'string') {
      handler = verdict;
    } else if (verdict !== undefined) {
      session.blocked = { entry, wait: verdict };
      return undefined;
    }
  }
  if (typeof handler === 'string') {
    out.error(handler);
  } else if (handler !== undefined) {
    try {
      handler(session, args, out);
    } catch (error) {
      // A bug, not an expected outcome: answer this command and keep the connection.
      out.error(ERRORS.INTERNAL);
      server.logger?.error('command failed', { command: entry.fullName, error });
    }
  }
  if (out.errors !== errorsBefore) {
    entry.errors++;
    stats.errorReplies++;
    return undefined;
  }
  return entry.write ? entry : undefined;
}

/**
 * Runs a command the router made wait, once its wait settled with `verdict`: either that error as
 * its reply, or the command dispatched again from a copy of its arguments (the first attempt's
 * counts are taken back, so that it counts once). Returns what `dispatch` returns.
 */
export function resumeBlocked(
  session: Session,
  blocked: BlockedCommand,
  args: CommandArgs,
  out: ReplyWriter,
  verdict: string | undefined,
): CommandEntry | undefined {
  const stats = session.server.stats;
  if (verdict !== undefined) {
    out.error(verdict);
    blocked.entry.errors++;
    stats.errorReplies++;
    return undefined;
  }
  blocked.entry.calls--;
  stats.totalCommands--;
  return dispatch(session, args, out);
}

/** Why a known command may not run, as its error text, or undefined when it may. */
function rejection(session: Session, entry: CommandEntry, count: number): string | undefined {
  if (!entry.acceptsArgCount(count) || entry.handler === undefined)
    return wrongArity(entry.fullName);
  if (!session.authenticated && !entry.noauth) return ERRORS.NOAUTH;
  if (entry.write && session.store.writable === false) return ERRORS.PERSISTENCE_REFUSED;
  return undefined;
}

function restOf(args: CommandArgs, from: number): string[] {
  const rest: string[] = [];
  for (let i = from; i < args.count && i < from + 64; i++) rest.push(args.latin1(i));
  return rest;
}
