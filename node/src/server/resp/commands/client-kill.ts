import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';

const NO_SUCH_CLIENT = 'ERR No such client';
const BAD_ID = 'ERR client-id should be greater than 0';
const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub']);

/** Which clients CLIENT KILL ends. */
interface KillFilter {
  addr?: string;
  laddr?: string;
  id?: number;
  /** Every client here is of type `normal`; another type matches none. */
  normalOnly?: boolean;
  skipMe: boolean;
}

/**
 * CLIENT KILL ip:port (the old form: OK or "No such client", and a client may kill itself) or
 * CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE type] [USER name] [SKIPME yes|no]
 * (the count killed), as Redis 7.0 parses them. Every client is user `default` and of type
 * `normal`. A client that kills itself gets its reply first, then its connection closes.
 */
export function clientKill(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const filter = args.count === 3 ? { addr: args.latin1(2), skipMe: false } : parseFilter(args);
  if (typeof filter === 'string') return out.error(filter);
  let killed = 0;
  for (const client of session.server.sessions.values()) {
    if (!matches(client, session, filter)) continue;
    killed++;
    // Itself: after this reply, as QUIT does.
    if (client === session) session.closeRequested = true;
    else client.kill();
  }
  if (args.count !== 3) return out.integer(killed);
  if (killed === 0) return out.error(NO_SUCH_CLIENT);
  out.ok();
}

/** The options of the new form, or the error text for the first bad one. */
function parseFilter(args: CommandArgs): KillFilter | string {
  const filter: KillFilter = { skipMe: true };
  for (let at = 2; at < args.count; at += 2) {
    const more = at + 1 < args.count;
    if (!more) return ERRORS.SYNTAX;
    if (args.is(at, 'id')) {
      const id = args.integer(at + 1);
      if (!Number.isInteger(id) || id < 1) return BAD_ID;
      filter.id = id;
    } else if (args.is(at, 'type')) {
      const type = args.lower(at + 1);
      if (!CLIENT_TYPES.has(type)) return `ERR Unknown client type '${args.latin1(at + 1)}'`;
      // The last TYPE given counts, as in Redis.
      filter.normalOnly = type === 'normal';
    } else if (args.is(at, 'addr')) {
      filter.addr = args.latin1(at + 1);
    } else if (args.is(at, 'laddr')) {
      filter.laddr = args.latin1(at + 1);
    } else if (args.is(at, 'user')) {
      if (args.latin1(at + 1) !== 'default') return `ERR No such user '${args.latin1(at + 1)}'`;
    } else if (args.is(at, 'skipme')) {
      if (args.is(at + 1, 'yes')) filter.skipMe = true;
      else if (args.is(at + 1, 'no')) filter.skipMe = false;
      else return ERRORS.SYNTAX;
    } else {
      return ERRORS.SYNTAX;
    }
  }
  return filter;
}

function matches(client: Session, self: Session, filter: KillFilter): boolean {
  if (filter.addr !== undefined && client.peer.remote !== filter.addr) return false;
  if (filter.laddr !== undefined && client.peer.local !== filter.laddr) return false;
  if (filter.normalOnly === false) return false;
  if (filter.id !== undefined && client.id !== filter.id) return false;
  return !(client === self && filter.skipMe);
}
