/**
 * The frames of client-side caching, as Redis 7.0 sends them: an `invalidate` push (RESP3), or a
 * Pub/Sub message on `__redis__:invalidate` for a RESP2 client that receives another client's
 * invalidations (REDIRECT). Their payload is an array of keys, or a null for "every key" (after
 * FLUSHALL).
 */

const PUSH_HEADER = Buffer.from('>2\r\n$10\r\ninvalidate\r\n', 'latin1');
/** The channel RESP2 clients subscribe to for redirected invalidations. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';
const MESSAGE_HEADER = Buffer.from(
  `*3\r\n$7\r\nmessage\r\n$${INVALIDATE_CHANNEL.length}\r\n${INVALIDATE_CHANNEL}\r\n`,
  'latin1',
);
const NULLS = { resp2: Buffer.from('$-1\r\n', 'latin1'), resp3: Buffer.from('_\r\n', 'latin1') };

/** An array of keys (latin1 strings), the payload of one invalidation. */
export function keysPayload(keys: readonly string[]): Buffer {
  let text = `*${keys.length}\r\n`;
  for (const key of keys) text += `$${key.length}\r\n${key}\r\n`;
  return Buffer.from(text, 'latin1');
}

/** The null payload: every key (a flush), in the protocol of the client that tracked. */
export function flushPayload(resp3: boolean): Buffer {
  return resp3 ? NULLS.resp3 : NULLS.resp2;
}

/** An invalidation as a RESP3 push. */
export function invalidatePush(payload: Buffer): Buffer {
  return Buffer.concat([PUSH_HEADER, payload]);
}

/** An invalidation as a RESP2 Pub/Sub message on `__redis__:invalidate`. */
export function invalidateMessage(payload: Buffer): Buffer {
  return Buffer.concat([MESSAGE_HEADER, payload]);
}

/** Tells a RESP3 client that the client it redirects to is gone (`tracking-redir-broken`). */
export function brokenRedirectPush(redirect: number): Buffer {
  return Buffer.from(`>2\r\n$21\r\ntracking-redir-broken\r\n:${redirect}\r\n`, 'latin1');
}
