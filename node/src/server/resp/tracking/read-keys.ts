import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { CommandEntry } from '../command-registry.ts';
import { keyRangeOf } from '../command-spec.ts';
import type { Session } from '../session.ts';

/** Read-only scripts: the keys their commands read are remembered, not the keys they declare. */
const SCRIPTS = new Set(['eval_ro', 'evalsha_ro']);

/**
 * A read-only command of a tracking client ran (directly, in EXEC, or from its script): its keys
 * are remembered for that client, whether the read found them or not, as Redis's
 * trackingRememberKeys does. A script's reads count for the client that ran it, as in Redis 7.2
 * (7.0 dropped them).
 */
export function rememberReadKeys(session: Session, entry: CommandEntry, args: CommandArgs): void {
  const tracking = session.server.tracking;
  if (!tracking.remembers(session) || SCRIPTS.has(entry.spec.name)) return;
  const { first, last, step } = keyRangeOf(entry.spec, args);
  if (first <= 0) return;
  for (let i = first; i <= last; i += step) tracking.rememberKey(session.id, args.latin1(i));
  tracking.enforceLimit();
}
