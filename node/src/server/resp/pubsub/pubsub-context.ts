import { pubsubContext } from '../errors.ts';
import type { Session } from '../session.ts';

/** What a subscribed RESP2 connection may run (Redis's list). */
const PUBSUB_CONTEXT = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'ping',
  'quit',
  'reset',
]);

/**
 * Why a command may not run on this connection now, or undefined: a RESP2 connection that
 * subscribed reads messages as replies, so little else may run on it until it unsubscribes
 * (RESP3 tells pushes from replies, and runs anything). The node and the gateway both check it,
 * after arity and authentication, as Redis does.
 */
export function subscribedRefusal(session: Session, fullName: string): string | undefined {
  if (session.resp3 || !session.subscriptions.active || PUBSUB_CONTEXT.has(fullName))
    return undefined;
  return pubsubContext(fullName);
}
