import { ALL_KEYS, NO_KEYS } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import { endTransaction, Transaction } from '../transaction.ts';

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis runs them: between MULTI and EXEC every other
 * command is checked and queued (+QUEUED), a refused one makes EXEC answer EXECABORT, and EXEC
 * runs the queue with nothing in between, its replies in one array. EXEC itself is run by the
 * dispatcher (dispatch.ts `runExec`), which owns routing and durability; its handler here only
 * stands for it in the table.
 */
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'multi',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'transactions',
    summary: 'Starts a transaction.',
    since: '1.2.0',
    handler: (session, _args, out) => {
      if (session.transaction !== undefined) return out.error(ERRORS.MULTI_NESTED);
      session.transaction = new Transaction();
      out.ok();
    },
  },
  {
    name: 'exec',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    ...NO_KEYS,
    group: 'transactions',
    summary: 'Executes all commands in a transaction.',
    since: '1.2.0',
    handler: (_session, _args, out) => out.error(ERRORS.INTERNAL),
  },
  {
    name: 'discard',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'transactions',
    summary: 'Discards a transaction.',
    since: '2.0.0',
    handler: (session, _args, out) => {
      if (session.transaction === undefined) return out.error(ERRORS.DISCARD_WITHOUT_MULTI);
      endTransaction(session);
      out.ok();
    },
  },
  {
    name: 'watch',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    ...ALL_KEYS,
    group: 'transactions',
    summary: 'Monitors changes to keys to determine the execution of a transaction.',
    since: '2.2.0',
    handler: (session, args, out) => {
      if (session.transaction !== undefined) return out.error(ERRORS.WATCH_IN_MULTI);
      const watches = session.server.watches;
      for (let i = 1; i < args.count; i++) {
        const key = args.latin1(i);
        watches.watch(session, key, session.store.has(key));
      }
      out.ok();
    },
  },
  {
    name: 'unwatch',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'transactions',
    summary: 'Forgets about watched keys of a transaction.',
    since: '2.2.0',
    handler: (session, _args, out) => {
      session.server.watches.unwatch(session);
      out.ok();
    },
  },
];
