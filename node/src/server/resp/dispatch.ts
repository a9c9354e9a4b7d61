import { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { CommandEntry } from './command-registry.ts';
import type { BlockedCommand } from './command-router.ts';
import { ERRORS, execAbort, unknownCommand, unknownSubcommand, wrongArity } from './errors.ts';
import { endOfTrackedCommand } from './commands/client-tracking.ts';
import { subscribedRefusal } from './pubsub/pubsub-context.ts';
import { rememberReadKeys } from './tracking/read-keys.ts';
import type { Session } from './session.ts';
import { logSlowCall } from './slow-calls.ts';
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
 * cluster node, the router (command-router.ts). Counts as Redis's commandstats do: a command
 * refused by one of those checks is a rejected call, not a call; one that ran and replied with an
 * error is a failed call; unknown commands and subcommands count nowhere but in the error total.
 * `session.called` names the command that ran, for the slow log. Returns the command's entry
 * when it was a write that ran and did not reply with an error: the caller must then wait for
 * durability before sending its reply. Otherwise returns undefined. When the router makes the
 * command wait, nothing is written and `session.blocked` is set: the caller runs it later with
 * `resumeBlocked`.

 */
export function dispatch(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
): CommandEntry | undefined {
  if (session.tracking === undefined && !session.noTouch)
    return dispatchCommand(session, args, out);
  return dispatchObserved(session, args, out);
}

/** A command of a tracking client, or of a CLIENT NO-TOUCH one. */
function dispatchObserved(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
): CommandEntry | undefined {
  // NO-TOUCH: the store leaves what this command reads untouched (TOUCH excepted, keys.ts).
  const store = session.store;
  const noTouch = session.noTouch;
  if (noTouch) store.noTouch = true;
  // Tracking: NOLOOP must know whose changes these are (tracking-registry.ts).
  const tracking = session.tracking === undefined ? undefined : session.server.tracking;
  if (tracking !== undefined) tracking.current = session;
  try {
    return dispatchCommand(session, args, out);
  } finally {
    if (noTouch) store.noTouch = false;
    if (tracking !== undefined) {
      tracking.current = undefined;
      tracking.sendPending(session);
      endOfTrackedCommand(session, args, session.transaction !== undefined);
    }
  }
}

function dispatchCommand(
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
  session.called = undefined;

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
      transaction.dirty = true;
      return rejected(entry, stats, out, refused);
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
  if (entry.spec.name === 'exec') {
    if (refused === undefined) return runExec(session, entry, out);
    // Redis answers a refused EXEC (wrong arity, say) as an aborted one, in MULTI or not.
    if (transaction !== undefined) endTransaction(session);
    return rejected(entry, stats, out, execAbort(refused));
  }
  if (refused !== undefined) return rejected(entry, stats, out, refused);
  const router = server.router;
  if (router !== undefined) {
    const verdict = router.route(entry, args);
    if (typeof verdict === 'string') return rejected(entry, stats, out, verdict);
    if (verdict !== undefined) {
      session.blocked = { entry, wait: verdict };
      return undefined;
    }
  }
  entry.calls++;
  stats.noteCommand(entry);
  session.called = entry;
  const handler = entry.handler;
  if (handler !== undefined) {
    try {
      handler(session, args, out);
    } catch (error) {
      // A bug, not an expected outcome: answer this command and keep the connection.
      out.error(ERRORS.INTERNAL);
      server.logger?.error('command failed', { command: entry.fullName, error });
    }
  }
  if (entry.readOnly && session.tracking !== undefined) rememberReadKeys(session, entry, args);
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
  if (transaction === undefined) return failed(session, exec, out, ERRORS.EXEC_WITHOUT_MULTI);
  if (transaction.dirty) {
    endTransaction(session);
    return failed(session, exec, out, ERRORS.EXECABORT);
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
  exec.calls++;
  stats.noteCommand(exec);
  if (watchBroken(session)) {
    endTransaction(session);
    out.nullArray();
    return undefined;
  }
  endTransaction(session);
  out.arrayHeader(entries.length);
  let wrote = false;
  // EXEC is not logged (skip_slowlog): each command it runs is, timed on its own, as in Redis.
  const clock = server.clock;
  const slowLog = server.slowLog;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const before = out.errors;
    const verdict = verdicts[i];
    if (verdict !== undefined) {
      // Refused by the router (its key is elsewhere): the command did not run.
      entry.rejected++;
      stats.errorReplies++;
      out.error(verdict);
      continue;
    }
    entry.calls++;
    const started = slowLog.slowerThanUs >= 0 ? clock.monotonic() : 0;
    try {
      entry.handler!(session, args[i]!, out);
    } catch (error) {
      out.error(ERRORS.INTERNAL);
      server.logger?.error('command failed', { command: entry.fullName, error });
    }
    if (entry.readOnly && session.tracking !== undefined)
      rememberReadKeys(session, entry, args[i]!);
    if (slowLog.slowerThanUs >= 0) {
      session.called = entry;
      logSlowCall(session, args[i]!, clock.monotonic() - started);
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
  session.called = exec;
  return wrote ? exec : undefined;
}

/** EXEC ran and failed (without MULTI, or aborted): a call and a failed call, as in Redis. */
function failed(session: Session, exec: CommandEntry, out: ReplyWriter, error: string): undefined {
  exec.calls++;
  exec.errors++;
  session.server.stats.noteCommand(exec);
  session.server.stats.errorReplies++;
  session.called = exec;
  out.error(error);
  return undefined;
}

/** Refused before running: a rejected call, not a call (Redis's rejectCommand). */
function rejected(
  entry: CommandEntry,
  stats: Session['server']['stats'],
  out: ReplyWriter,
  error: string,
): undefined {
  entry.rejected++;
  stats.errorReplies++;
  out.error(error);
  return undefined;
}

/**
 * Runs a command the router made wait, once its wait settled with `verdict`: either that error as
 * its reply (a rejected call), or the command dispatched again from a copy of its arguments (the
 * first attempt counted no call, only the command total, taken back here). Returns what
 * `dispatch` returns.
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
    // An EXEC whose keys could not be fetched fails whole, and its transaction with it.
    if (blocked.entry.spec.name === 'exec') endTransaction(session);
    return rejected(blocked.entry, stats, out, verdict);
  }
  stats.totalCommands--;

  return dispatch(session, args, out);
}

/** Why a known command may not run, as its error text, or undefined when it may. */
function rejection(session: Session, entry: CommandEntry, count: number): string | undefined {
  if (!entry.acceptsArgCount(count) || entry.handler === undefined)
    return wrongArity(entry.fullName);
  if (!session.authenticated && !entry.noauth) return ERRORS.NOAUTH;
  if (entry.write && session.store.writable === false) return ERRORS.PERSISTENCE_REFUSED;
  return subscribedRefusal(session, entry.fullName);
}

function restOf(args: CommandArgs, from: number): string[] {
  const rest: string[] = [];
  for (let i = from; i < args.count && i < from + 64; i++) rest.push(args.latin1(i));
  return rest;
}
