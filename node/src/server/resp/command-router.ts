import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from './command-registry.ts';

/**
 * The hook through which a cluster node decides where a command runs (node/src/cluster-runtime).
 * A standalone node has none, and the dispatcher then pays one `undefined` check per command.
 *
 * The router sees every command that passed the arity, authentication and MISCONF checks, just
 * before its handler would run, and answers:
 * - undefined: run it now;
 * - a string: reply with this error instead (`MOVED <shard> <host>:<port>`, `TRYAGAIN ...`);
 * - a promise: the command must wait (its keys are being fetched from their shard's old owner).
 *   The connection then stops running commands, sends the replies before this one, and when the
 *   promise settles runs the command again through the dispatcher (so the router is asked again:
 *   the ring may have changed meanwhile), or replies with the error the promise resolved to. Later
 *   commands of the connection wait behind it, so replies stay in order and every command sees
 *   the effects of the ones before it, as in Redis. The promise must never reject.
 */
export type RouteVerdict = undefined | string | Promise<string | undefined>;

export interface CommandRouter {
  route(entry: CommandEntry, args: CommandArgs): RouteVerdict;
}

/** A command the router made wait: its entry, and what it waits for. */
export interface BlockedCommand {
  readonly entry: CommandEntry;
  readonly wait: Promise<string | undefined>;
}
