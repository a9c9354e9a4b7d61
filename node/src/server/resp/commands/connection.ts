import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { REPLIES } from '../../../protocol/resp/reply-writer.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NO_KEYS } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, wrongArity } from '../errors.ts';
import type { Session } from '../session.ts';
import { endTransaction } from '../transaction.ts';
import { isValidClientName } from './client.ts';

const PONG_WORD = Buffer.from('pong', 'latin1');

/** Connection commands: PING, ECHO, AUTH, HELLO, SELECT, RESET, QUIT. */
export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: "Returns the server's liveliness response.",
    since: '1.0.0',
    handler: (session, args, out) => {
      if (args.count > 2) return out.error(wrongArity('ping'));
      if (!session.resp3 && session.subscriptions.active) {
        // Subscribed (RESP2): replies look like messages, ["pong", argument or ""].
        out.arrayHeader(2);
        out.bulk(PONG_WORD);
        if (args.count === 1) out.bulk(PONG_WORD, 0, 0);
        else out.bulk(args.buffer, args.starts[1], args.ends[1]);
        return;
      }
      if (args.count === 1) return out.raw(REPLIES.PONG);
      out.bulk(args.buffer, args.starts[1], args.ends[1]);
    },
  },
  {
    name: 'echo',
    arity: 2,
    flags: ['fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Returns the given string.',
    since: '1.0.0',
    handler: (_session, args, out) => out.bulk(args.buffer, args.starts[1], args.ends[1]),
  },
  {
    name: 'auth',
    arity: -2,
    flags: ['noauth', 'noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Authenticates the connection.',
    since: '1.0.0',
    handler: auth,
  },
  {
    name: 'hello',
    arity: -1,
    flags: ['noauth', 'noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Handshakes with the Redis server.',
    since: '6.0.0',
    handler: hello,
  },
  {
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Changes the selected database.',
    since: '1.0.0',
    handler: (_session, args, out) => {
      const index = args.integer(1);
      if (Number.isNaN(index)) return out.error(ERRORS.NOT_INTEGER);
      if (index > 2 ** 31 - 1 || index < -(2 ** 31)) return out.error(ERRORS.NOT_INT32);
      // One keyspace, like Redis Cluster: only database 0 exists.
      if (index !== 0) return out.error(ERRORS.DB_OUT_OF_RANGE);
      out.ok();
    },
  },
  {
    name: 'reset',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'noauth'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Resets the connection.',
    since: '6.2.0',
    handler: reset,
  },
  {
    name: 'quit',
    arity: -1,
    flags: ['noauth', 'noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'connection',
    summary: 'Closes the connection.',
    since: '1.0.0',
    handler: (session, _args, out) => {
      session.closeRequested = true;
      out.ok();
    },
  },
];

/**
 * RESET: the connection as a new one would be, without reconnecting (Redis 6.2): out of MULTI,
 * nothing watched, no subscriptions (left silently), no tracking, RESP2, no name, and
 * authenticated only if no password is required.
 */
function reset(session: Session, _args: CommandArgs, out: ReplyWriter): void {
  endTransaction(session);
  session.server.pubsub.dropAll(session, session.subscriptions);
  session.server.tracking.disable(session);
  session.resp3 = false;
  // CLIENT REPLY ON again (so RESET's own reply goes out); NO-EVICT and NO-TOUCH stay, as
  // Redis 7.0 keeps NO-EVICT.
  session.replyMode = 0;
  session.name = '';
  session.authenticated = session.server.settings.requirePass === undefined;
  out.simple('RESET');
}

function auth(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (args.count > 3) return out.error(ERRORS.SYNTAX);
  const required = session.server.settings.requirePass;
  if (args.count === 2 && required === undefined) return out.error(ERRORS.AUTH_WITHOUT_PASSWORD);
  const username = args.count === 3 ? args.latin1(1) : 'default';
  if (!checkCredentials(required, username, args.view(args.count - 1)))
    return out.error(ERRORS.WRONGPASS);
  session.authenticated = true;
  out.ok();
}

/**
 * The only user is `default`. Without a password it accepts any (Redis's `nopass`); with one,
 * the password is compared in constant time (over digests, so lengths do not leak either).
 */
function checkCredentials(
  required: string | undefined,
  username: string,
  password: Buffer,
): boolean {
  if (username !== 'default') return false;
  if (required === undefined) return true;
  const expected = createHash('sha256').update(required, 'utf8').digest();
  const given = createHash('sha256').update(password).digest();
  return timingSafeEqual(expected, given);
}

/**
 * HELLO [protover [AUTH username password] [SETNAME name]], as Redis 7.2: the version is checked
 * first (2, or 3 where the server speaks RESP3), options are parsed and the name validated in
 * order, then AUTH is tried, then the client must be authenticated; only then are the name and
 * the protocol changed, so a HELLO that fails changes nothing. Without a version the connection
 * keeps its protocol. The reply is a map in the protocol switched to.
 */
function hello(session: Session, args: CommandArgs, out: ReplyWriter): void {
  let at = 1;
  let resp3 = session.resp3;
  if (args.count >= 2) {
    const version = args.integer(at++);
    if (Number.isNaN(version)) return out.error(ERRORS.PROTOCOL_VERSION);
    if (version !== 2 && (version !== 3 || session.server.settings.resp3 !== true))
      return out.error(ERRORS.NOPROTO);
    resp3 = version === 3;
  }
  let credentials: { username: string; password: Buffer } | undefined;
  let name: string | undefined;
  for (; at < args.count; at++) {
    const more = args.count - 1 - at;
    if (args.is(at, 'auth') && more >= 2) {
      credentials = { username: args.latin1(at + 1), password: args.view(at + 2) };
      at += 2;
    } else if (args.is(at, 'setname') && more >= 1) {
      name = args.latin1(++at);
      if (!isValidClientName(name)) return out.error(ERRORS.CLIENT_NAME);
    } else {
      return out.error(`ERR Syntax error in HELLO option '${args.latin1(at)}'`);
    }
  }
  if (credentials) {
    if (
      !checkCredentials(
        session.server.settings.requirePass,
        credentials.username,
        credentials.password,
      )
    ) {
      return out.error(ERRORS.WRONGPASS);
    }
    session.authenticated = true;
  }
  if (!session.authenticated) return out.error(ERRORS.HELLO_NOAUTH);
  if (name !== undefined) session.name = name;
  session.resp3 = resp3;
  out.resp3 = resp3;
  const settings = session.server.settings;
  // In RESP2 the map comes as a flat array of keys and values, as Redis sends it.
  out.mapHeader(7);
  out.bulkLatin1('server');
  out.bulkLatin1('redis');
  out.bulkLatin1('version');
  out.bulkLatin1(settings.redisVersion);
  out.bulkLatin1('proto');
  out.integer(resp3 ? 3 : 2);
  out.bulkLatin1('id');
  out.integer(session.id);
  out.bulkLatin1('mode');
  out.bulkLatin1('standalone');
  out.bulkLatin1('role');
  out.bulkLatin1('master');
  out.bulkLatin1('modules');
  out.arrayHeader(0);
}
