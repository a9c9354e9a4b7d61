import { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { CommandEntry } from './command-registry.ts';
import type { BlockedCommand } from './command-router.ts';
import { ERRORS, execAbort, unknownCommand, unknownSubcommand, wrongArity } from './errors.ts';
import type { Session } from './session.ts';
import {
  endTransaction,
  queuedBytes,
  TRANSACTION_CONTROL,
  transactionTooLarge,
  watchBroken,
} from './transaction.ts';

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
    if (session.transaction !== undefined) session.transaction.dirty = true;
    return undefined;
  }
  if (entry.subcommands !== undefined && args.count >= 2) {
    const sub = entry.subcommands.get(args.lower(1));
    if (sub === undefined) {
      entry.calls++;
      entry.errors++;
      out.error(unknownSubcommand(args.latin1(1), entry.spec.name));
      stats.errorReplies++;
      if (session.transaction !== undefined) session.transaction.dirty = true;
      return undefined;
    }
    entry = sub;
  }
  session.lastCommand = entry.fullName;
  const refused = rejection(session, entry, args.count);
  const transaction = session.transaction;
  if (transaction !== undefined && !TRANSACTION_CONTROL.has(entry.spec.name)) {
    // Queued, checked as Redis checks before queuing; it counts as a call when EXEC runs it.
    if (refused !== undefined) {
      entry.calls++;
      entry.errors++;
      stats.errorReplies++;
      out.error(refused);
      transaction.dirty = true;
      return undefined;
    }
    const limit = server.settings.maxTransactionBytes ?? Number.POSITIVE_INFINITY;
    if (transaction.bytes + queuedBytes(args) > limit) {
      // What was queued is freed at once; the transaction stays open until EXEC or DISCARD.
      transaction.drop();
      stats.errorReplies++;
      out.error(transactionTooLarge(limit));
      return undefined;
    }
    transaction.queue(entry, CommandArgs.fromBuffers(args.toBuffers()));
    out.simple('QUEUED');
    return undefined;
  }
  entry.calls++;
  stats.noteCommand(entry);
  if (entry.spec.name === 'exec') {
    if (refused === undefined) return runExec(session, entry, out);
    // Redis answers a refused EXEC (wrong arity, say) as an aborted one, in MULTI or not.
    if (transaction !== undefined) endTransaction(session);
    return failed(entry, stats, out, execAbort(refused));
  }
  let handler = refused ?? entry.handler;
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
  // A script's writes make its reply wait for durability, even when the script then failed.
  const wroteInScript = session.wroteInScript;
  session.wroteInScript = false;
  if (out.errors !== errorsBefore) {
    entry.errors++;
    stats.errorReplies++;
    return wroteInScript ? entry : undefined;
  }
  return entry.write || wroteInScript ? entry : undefined;
}

/**
 * EXEC: the queued commands run one after another with nothing in between, their replies in one
 * array (an error among them is an element: the others still run, as in Redis). Aborted instead
 * with EXECABORT when a command was refused while queuing, or with a null array when a watched
 * key changed. On a cluster node every queued command is routed first; when some must wait (a
 * key being fetched from a shard's source), EXEC waits for all of them and then runs whole, so
 * that no wait splits the transaction. Returns the EXEC entry when a queued write ran, for the
 * caller to wait for durability before the array goes out.
 */
function runExec(session: Session, exec: CommandEntry, out: ReplyWriter): CommandEntry | undefined {
  const server = session.server;
  const stats = server.stats;
  const transaction = session.transaction;
  if (transaction === undefined) return failed(exec, stats, out, ERRORS.EXEC_WITHOUT_MULTI);
  if (transaction.dirty) {
    endTransaction(session);
    return failed(exec, stats, out, ERRORS.EXECABORT);
  }
  const { entries, args } = transaction;
  const verdicts: (string | undefined)[] = [];
  const router = server.router;
  if (router !== undefined) {
    const waits: Promise<string | undefined>[] = [];
    for (let i = 0; i < entries.length; i++) {
      const verdict = router.route(entries[i]!, args[i]!);
      if (typeof verdict === 'object') waits.push(verdict);
      verdicts.push(typeof verdict === 'string' ? verdict : undefined);
    }
    if (waits.length > 0) {
      // Run again once every wait settled; an error from one fails the EXEC (resumeBlocked).
      const wait = Promise.all(waits).then((errors) => errors.find((e) => e !== undefined));
      session.blocked = { entry: exec, wait };
      return undefined;
    }
  }
  if (watchBroken(session)) {
    endTransaction(session);
    out.nullArray();
    return undefined;
  }
  endTransaction(session);
  out.arrayHeader(entries.length);
  let wrote = false;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    entry.calls++;
    const before = out.errors;
    const verdict = verdicts[i];
    if (verdict !== undefined) {
      out.error(verdict);
    } else {
      try {
        entry.handler!(session, args[i]!, out);
      } catch (error) {
        out.error(ERRORS.INTERNAL);
        server.logger?.error('command failed', { command: entry.fullName, error });
      }
    }
    if (session.wroteInScript) {
      session.wroteInScript = false;
      wrote = true;
    }
    if (out.errors !== before) {
      entry.errors++;
      stats.errorReplies++;
    } else if (entry.write) {
      wrote = true;
    }
  }
  return wrote ? exec : undefined;
}

function failed(
  entry: CommandEntry,
  stats: Session['server']['stats'],
  out: ReplyWriter,
  error: string,
): undefined {
  entry.errors++;
  stats.errorReplies++;
  out.error(error);
  return undefined;
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
    // An EXEC whose keys could not be fetched fails whole, and its transaction with it.
    if (blocked.entry.spec.name === 'exec') endTransaction(session);
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
