/**
 * Every error text the gateway itself sends to clients, in one place, in Redis's style (a code
 * word first). Errors that nodes send are passed through unchanged.
 *
 * CLUSTERDOWN and TRYAGAIN are Redis Cluster's codes for "the cluster cannot serve this now" and
 * "retry shortly": client libraries and people recognise them, and neither is mistaken for a
 * problem with the command itself.
 */
export const GATEWAY_ERRORS = {
  NO_RING: 'CLUSTERDOWN the gateway has no ring yet (see --ring, --nodes or PUT /v1/ring)',
  CROSSSLOT: "CROSSSLOT Keys in request don't hash to the same slot",
  CONFIG_SET: 'ERR CONFIG SET is not supported by the gateway: configure the nodes themselves',
  NODE_NOT_READY: "TRYAGAIN the transaction's node is not connected yet",
  INTERNAL: 'ERR internal error',
} as const;

/** A node cannot be reached (refused, timed out, lost, or removed from the ring). */
export function nodeUnreachable(nodeId: string, address: string, reason: string): string {
  return `CLUSTERDOWN node ${nodeId} (${address}) is unreachable (${reason})`;
}

/** Too many requests wait for a node that is still connecting. */
export function queueFull(nodeId: string, address: string): string {
  return `CLUSTERDOWN node ${nodeId} (${address}) is still connecting and its queue is full`;
}

/** A MOVED reply persisted through every retry: the ring is changing faster than it converges. */
export function tooManyRedirects(moved: string, attempts: number): string {
  return `TRYAGAIN the ring is changing (${moved}; gave up after ${attempts} attempts)`;
}

/** A watched key's node answered MOVED: the watch was dropped, the client should WATCH again. */
export function watchedKeyMoved(moved: string): string {
  return `TRYAGAIN the watched keys moved to another node (${moved}): WATCH them again`;
}
