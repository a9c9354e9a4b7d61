import { join } from 'node:path';

/**
 * Where a local cluster keeps its files under its directory. Logs sit in per-process folders so
 * that the directory itself only changes when the ring or the state file does: nodes and the
 * gateway watch that directory for ring updates, and a log line per request would wake them.
 *
 *   DIR/cluster.json        the state file (pids, ports, ids; see cluster-state.ts)
 *   DIR/ring.json           the ring document every process watches (--ring)
 *   DIR/cluster.lock        held while a command changes the cluster
 *   DIR/node-i/data         node-i's RocksDB directory
 *   DIR/node-i/node.log     node-i's stdout and stderr
 *   DIR/gateway/gateway.log the gateway's stdout and stderr
 */
export interface ClusterLayout {
  readonly dir: string;
  readonly stateFile: string;
  readonly ringFile: string;
  readonly lockFile: string;
  readonly gatewayDir: string;
  readonly gatewayLog: string;
  nodeDir(id: string): string;
  nodeDataDir(id: string): string;
  nodeLog(id: string): string;
}

export function clusterLayout(dir: string): ClusterLayout {
  return {
    dir,
    stateFile: join(dir, 'cluster.json'),
    ringFile: join(dir, 'ring.json'),
    lockFile: join(dir, 'cluster.lock'),
    gatewayDir: join(dir, 'gateway'),
    gatewayLog: join(dir, 'gateway', 'gateway.log'),
    nodeDir: (id) => join(dir, id),
    nodeDataDir: (id) => join(dir, id, 'data'),
    nodeLog: (id) => join(dir, id, 'node.log'),
  };
}

/** The id of the node with ordinal i, like a StatefulSet pod's name. */
export function nodeIdOf(ordinal: number): string {
  return `node-${ordinal}`;
}

/** The ordinal of a node id made by nodeIdOf, or undefined for any other id. */
export function ordinalOf(id: string): number | undefined {
  const match = /^node-(0|[1-9][0-9]*)$/.exec(id);
  return match === null ? undefined : Number(match[1]);
}
