import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NO_KEYS } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';
import { clientKill } from './client-kill.ts';
import {
  clientCaching,
  clientGetRedir,
  clientTracking,
  clientTrackingInfo,
  trackingFlags,
} from './client-tracking.ts';
import { clientNoEvict, clientNoTouch, clientReply, modeFlags } from './client-modes.ts';
import { helpReply } from './help.ts';

const FLAGS = ['noscript', 'loading', 'stale'] as const;

/**
 * CLIENT and the subcommands that clients and tools send: ID, names, INFO, LIST, SETINFO, KILL,
 * tracking (client-tracking.ts), REPLY, NO-EVICT and NO-TOUCH (client-modes.ts).
 */
export const CLIENT_COMMAND: CommandSpec = {
  name: 'client',
  arity: -2,
  flags: [],
  ...NO_KEYS,
  group: 'connection',
  summary: 'A container for client connection commands.',
  since: '2.4.0',
  subcommands: [
    sub(
      'id',
      2,
      'Returns the unique client ID of the connection.',
      '5.0.0',
      (session, _args, out) => out.integer(session.id),
    ),
    sub('getname', 2, 'Returns the name of the connection.', '2.6.9', (session, _args, out) => {
      if (session.name === '') out.nullBulk();
      else out.bulkLatin1(session.name);
    }),
    sub('setname', 3, 'Sets the connection name.', '2.6.9', (session, args, out) => {
      if (setClientName(session, args, 2, out)) out.ok();
    }),
    sub('setinfo', 4, 'Sets information specific to the client or connection.', '7.2.0', setInfo),
    sub('info', 2, 'Returns information about the connection.', '6.2.0', (session, _args, out) =>
      out.verbatim(`${describeClient(session)}\n`),
    ),
    sub('list', -2, 'Lists open connections.', '2.4.0', list),
    sub('kill', -3, 'Terminates open connections.', '2.4.0', clientKill),
    sub(
      'tracking',
      -3,
      'Controls server-assisted client-side caching for the connection.',
      '6.0.0',
      clientTracking,
    ),
    sub(
      'caching',
      3,
      'Instructs the server whether to track the keys in the next request.',
      '6.0.0',
      clientCaching,
    ),
    sub(
      'getredir',
      2,
      "Returns the client ID to which the connection's tracking notifications are redirected.",
      '6.0.0',
      clientGetRedir,
    ),
    sub(
      'trackinginfo',
      2,
      'Returns information about server-assisted client-side caching for the connection.',
      '6.2.0',
      clientTrackingInfo,
    ),
    sub('reply', 3, 'Instructs the server whether to reply to commands.', '3.2.0', clientReply),
    sub('no-evict', 3, 'Sets the client eviction mode of the connection.', '7.0.0', clientNoEvict),
    sub(
      'no-touch',
      3,
      'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.',
      '7.2.0',
      clientNoTouch,
    ),
    sub(
      'help',
      2,
      'Returns helpful text about the different subcommands.',
      '5.0.0',
      (_session, _args, out) =>
        helpReply(out, 'CLIENT', [
          'CACHING (YES|NO)',
          '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
          'GETREDIR',
          '    Return the client ID we are redirecting to when tracking is enabled.',
          'GETNAME',
          '    Return the name of the current connection.',
          'ID',
          '    Return the ID of the current connection.',
          'INFO',
          '    Return information about the current client connection.',
          'KILL <ip:port>',
          '    Kill connection made from <ip:port>.',
          'KILL <option> <value> [<option> <value> [...]]',
          '    Kill connections. Options are:',
          '    * ADDR (<ip:port>|<unixsocket>:0)',
          '      Kill connections made from the specified address',
          '    * LADDR (<ip:port>|<unixsocket>:0)',
          '      Kill connections made to specified local address',
          '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
          '      Kill connections by type.',
          '    * USER <username>',
          '      Kill connections authenticated by <username>.',
          '    * SKIPME (YES|NO)',
          '      Skip killing current connection (default: yes).',
          '    * ID <client-id>',
          '      Kill connections by client id.',
          'LIST [TYPE normal] [ID <id> [<id> ...]]',
          '    Return information about client connections.',
          'REPLY (ON|OFF|SKIP)',
          '    Control the replies sent to the current connection.',
          'SETINFO <LIB-NAME|LIB-VER> <value>',
          '    Set client library name or version.',
          'SETNAME <name>',
          '    Assign the name <name> to the current connection.',
          'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
          '         [OPTIN] [OPTOUT] [NOLOOP]',
          '    Control server assisted client side caching.',
          'TRACKINGINFO',
          '    Report tracking status for the current connection.',
          'NO-EVICT (ON|OFF)',
          '    Protect current client connection from eviction.',
          'NO-TOUCH (ON|OFF)',
          '    Will not touch LRU/LFU stats when this mode is on.',
        ]),
    ),
  ],
};

function sub(
  name: string,
  arity: number,
  summary: string,
  since: string,
  handler: NonNullable<CommandSpec['handler']>,
): CommandSpec {
  return { name, arity, flags: FLAGS, ...NO_KEYS, group: 'connection', summary, since, handler };
}

/**
 * Sets the name from argument `at` with Redis's rule (printable ASCII without spaces; empty
 * clears it). Writes the error and returns false when the name is refused.
 */
export function setClientName(
  session: Session,
  args: CommandArgs,
  at: number,
  out: ReplyWriter,
): boolean {
  const name = args.latin1(at);
  if (!isValidClientName(name)) {
    out.error(ERRORS.CLIENT_NAME);
    return false;
  }
  session.name = name;
  return true;
}

/** Redis's rule for client names (CLIENT SETNAME, HELLO SETNAME); empty clears the name. */
export function isValidClientName(name: string): boolean {
  return isPrintableWord(name);
}

function setInfo(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const value = args.latin1(3);
  if (args.is(2, 'lib-name') || args.is(2, 'lib-ver')) {
    const attribute = args.lower(2);
    if (!isPrintableWord(value)) {
      return out.error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
    }
    if (attribute === 'lib-name') session.libName = value;
    else session.libVersion = value;
    return out.ok();
  }
  out.error(`ERR Unrecognized option '${args.latin1(2)}'`);
}

/** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]. */
function list(session: Session, args: CommandArgs, out: ReplyWriter): void {
  let ids: Set<number> | undefined;
  let type = 'normal';
  for (let i = 2; i < args.count; i++) {
    if (args.is(i, 'type') && i + 1 < args.count) {
      type = args.lower(++i);
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) {
        return out.error(`ERR Unknown client type '${args.latin1(i)}'`);
      }
    } else if (args.is(i, 'id') && i + 1 < args.count) {
      ids = new Set();
      for (i++; i < args.count; i++) {
        const id = args.integer(i);
        if (Number.isNaN(id) || id <= 0) return out.error('ERR Invalid client ID');
        ids.add(id);
      }
    } else {
      return out.error(ERRORS.SYNTAX);
    }
  }
  let text = '';
  if (type === 'normal') {
    for (const other of session.server.sessions.values()) {
      if (ids === undefined || ids.has(other.id)) text += `${describeClient(other)}\n`;
    }
  }
  out.verbatim(text);
}

/** One CLIENT LIST line, with Redis 7.2's fields (buffer sizes that do not apply are 0). */
export function describeClient(session: Session): string {
  const now = session.server.clock.monotonic();
  const age = Math.floor((now - session.createdAt) / 1000);
  const idle = Math.floor((now - session.lastActiveAt) / 1000);
  // As Redis: flags P while subscribed, x in MULTI (multi= its queued commands, else -1), t, R
  // and B while tracking (client-tracking.ts), d once a watched key was written, then e and T
  // for CLIENT NO-EVICT and NO-TOUCH (client-modes.ts).
  const queued = session.transaction?.entries.length ?? -1;
  const subs = session.subscriptions;
  const flags =
    `${subs.active ? 'P' : ''}${queued >= 0 ? 'x' : ''}${trackingFlags(session)}` +
      `${session.watchBroken ? 'd' : ''}${modeFlags(session)}` || 'N';
  return (
    `id=${session.id} addr=${session.peer.remote} laddr=${session.peer.local} fd=-1 ` +
    `name=${session.name} age=${age} idle=${idle} flags=${flags} db=0 ` +
    `sub=${subs.channel.size} psub=${subs.pattern.size} ssub=${subs.shard.size} ` +
    `multi=${queued} ` +
    'qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ' +
    `events=r cmd=${session.lastCommand} user=default redir=${session.tracking?.redirect ?? -1} resp=${session.resp3 ? 3 : 2} ` +
    `lib-name=${session.libName} lib-ver=${session.libVersion}`
  );
}

/** Redis's rule for client names and library info: characters '!' to '~' only. */
function isPrintableWord(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}
