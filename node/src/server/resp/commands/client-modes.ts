import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';

/** Session.replyMode's bits, as Redis's CLIENT_REPLY_OFF, _SKIP and _SKIP_NEXT. */
export const REPLY_OFF = 1;
const REPLY_SKIP = 2;
const REPLY_SKIP_NEXT = 4;

const NO_TOUCH_AT_GATEWAY =
  'ERR CLIENT NO-TOUCH is not supported through the mlcache gateway: reads reach the nodes over ' +
  'connections shared by many clients, so one client cannot leave keys untouched there. Connect ' +
  'to a node for NO-TOUCH.';

/**
 * The commands whose replies Redis sends as pushes (CLIENT_PUSHING): they go out even with
 * CLIENT REPLY OFF or SKIP, like the messages and invalidations that follow them.
 */
const PUSHED_REPLIES: ReadonlySet<string> = new Set([
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
]);

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing; ON answers OK; SKIP while OFF does
 * nothing (Redis's clientCommand).
 */
export function clientReply(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (args.is(2, 'on')) {
    session.replyMode = 0;
    out.ok();
  } else if (args.is(2, 'off')) {
    session.replyMode |= REPLY_OFF;
  } else if (args.is(2, 'skip')) {
    if ((session.replyMode & REPLY_OFF) === 0) session.replyMode |= REPLY_SKIP_NEXT;
  } else {
    out.error(ERRORS.SYNTAX);
  }
}

/**
 * After a command of a client whose `replyMode` is not 0: whether the command's reply is to be
 * dropped (`name` is the command that ran, if one did); then SKIP moves on to the next command,
 * as in Redis's resetClient. Pushes, and the (un)subscribe confirmations, are never dropped.
 */
export function replyDropped(session: Session, name: string | undefined): boolean {
  const mode = session.replyMode;
  session.replyMode = (mode & REPLY_OFF) | ((mode & REPLY_SKIP_NEXT) === 0 ? 0 : REPLY_SKIP);
  if ((mode & (REPLY_OFF | REPLY_SKIP)) === 0) return false;
  return name === undefined || !PUSHED_REPLIES.has(name);
}

/**
 * CLIENT NO-EVICT ON|OFF: mlcache evicts no clients (no maxmemory-clients), so it only sets
 * CLIENT LIST's flag `e`.
 */
export function clientNoEvict(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const on = onOff(args);
  if (on === undefined) return out.error(ERRORS.SYNTAX);
  session.noEvict = on;
  out.ok();
}

/**
 * CLIENT NO-TOUCH ON|OFF (Redis 7.2): while on, the client's reads leave the keys' access time
 * and the eviction policy's view alone (the dispatcher sets the store's `noTouch` around its
 * commands); TOUCH still touches. Refused where there is no store to switch: the gateway.
 */
export function clientNoTouch(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const on = onOff(args);
  if (on === undefined) return out.error(ERRORS.SYNTAX);
  if (on && session.store.noTouch === undefined) return out.error(NO_TOUCH_AT_GATEWAY);
  session.noTouch = on;
  out.ok();
}

/** CLIENT LIST's flags `e` and `T`, in Redis 7.2's order. */
export function modeFlags(session: Session): string {
  return `${session.noEvict ? 'e' : ''}${session.noTouch ? 'T' : ''}`;
}

function onOff(args: CommandArgs): boolean | undefined {
  if (args.is(2, 'on')) return true;
  return args.is(2, 'off') ? false : undefined;
}
