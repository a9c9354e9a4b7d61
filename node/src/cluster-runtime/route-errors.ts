/**
 * The errors a cluster node gives for keys it cannot serve now, in one place. MOVED is built per
 * shard by ClusterState (`MOVED <shard> <host>:<port>`, Redis Cluster's format, which the
 * gateway parses); the unreachable-source TRYAGAIN is in fault-in.ts.
 */
export const ROUTE_ERRORS = {
  NO_RING: 'CLUSTERDOWN this node has no ring yet (see --ring or PUT /v1/ring)',
  RESERVED: 'ERR keys starting with \\xff\\xffmlcache-cluster are reserved for the node',
} as const;

/** A shard of ours whose stale leftovers are being removed before it is served. */
export function preparingError(shard: number): string {
  return `TRYAGAIN shard ${shard} is being prepared (stale keys of an earlier ownership are being removed)`;
}
