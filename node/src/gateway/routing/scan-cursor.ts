/**
 * SCAN across nodes: the gateway walks the ring's nodes one after the other (in ring order, by
 * id), each with its own SCAN, and gives the client one cursor that holds both positions:
 *
 *   cursor = nodeCursor × NODE_SLOTS + nodeIndex
 *
 * Cursor 0 starts at node 0. When a node's walk ends (its cursor comes back 0), the next cursor
 * points at the next node with node cursor 0 (so it is just that node's index, never 0); after the
 * last node it is 0 and the walk is over. Every key present on its node for the whole walk is
 * returned, as Redis's SCAN promises. A ring change during a walk may shift node indices: the
 * walk may then skip or repeat a node (documented in docs/gateway.md).
 */
export const NODE_SLOTS = 1024n;
const U64_MAX = 18446744073709551615n;

export interface ScanPosition {
  readonly nodeIndex: number;
  readonly nodeCursor: bigint;
}

/**
 * The position in a client's cursor, with Redis's parsing rules (strtoul: decimal digits with an
 * optional sign, a negative value wrapping around, at most 2^64 - 1; the empty string is 0), or
 * undefined for an invalid cursor.
 */
export function parseScanCursor(text: string): ScanPosition | undefined {
  if (text === '') return { nodeIndex: 0, nodeCursor: 0n };
  const match = /^([+-]?)(\d+)$/.exec(text);
  if (!match) return undefined;
  let value = BigInt(match[2] as string);
  if (value > U64_MAX) return undefined;
  if (match[1] === '-' && value !== 0n) value = U64_MAX + 1n - value;
  return { nodeIndex: Number(value % NODE_SLOTS), nodeCursor: value / NODE_SLOTS };
}

/**
 * The client's next cursor after node `nodeIndex` answered `nodeCursor`, with `nodeCount` nodes
 * in the ring.
 */
export function nextScanCursor(nodeIndex: number, nodeCursor: bigint, nodeCount: number): string {
  if (nodeCursor !== 0n) return String(nodeCursor * NODE_SLOTS + BigInt(nodeIndex));
  return nodeIndex + 1 < nodeCount ? String(nodeIndex + 1) : '0';
}
