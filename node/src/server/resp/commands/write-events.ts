import { EXPIRED, GENERIC, STRING } from '../../../config/keyspace-events.ts';
import type { Session } from '../session.ts';

/**
 * The keyspace events of a SET-like write of `key` (SET, SETEX, SETNX, GETSET, MSET...), in Redis
 * 7.0's order: `new` when it created the key, `set`, then `expire` when the write gave it an
 * expiry. A time already past (SET ... PXAT 1) leaves the key deleted at once here, where Redis
 * stores it and its expiry cycle raises `expired` a moment later: that `expired` follows at once.
 */
export function setWritten(session: Session, key: string, created: boolean, expireAt = 0): void {
  const events = session.server.keyspaceEvents;
  events.written(STRING, 'set', key, created);
  if (expireAt === 0) return;
  events.notify(GENERIC, 'expire', key);
  if (expireAt <= session.server.clock.now()) events.notify(EXPIRED, 'expired', key);
}
