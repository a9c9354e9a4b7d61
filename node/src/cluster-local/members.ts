import type { Ring, RingNode } from '../cluster/ring.ts';
import type { ClusterState, NodeRecord } from './cluster-state.ts';

/** A process of the cluster that applies rings, reached through its admin port. */
export interface Member {
  readonly id: string;
  readonly kind: 'node' | 'gateway';
  /** `host:port` of its admin port. */
  readonly admin: string;
}

export const GATEWAY_ID = 'gateway';

/** The members that must apply `ring`: the recorded nodes it lists, and the gateway. */
export function membersOf(state: ClusterState, ring: Ring): Member[] {
  const inRing = new Set(ring.nodes.map((node) => node.id));
  const host = state.settings.bind;
  const members: Member[] = state.nodes
    .filter((node) => inRing.has(node.id))
    .map((node) => ({ id: node.id, kind: 'node', admin: `${host}:${node.admin}` }));
  if (state.gateway !== null) {
    members.push({ id: GATEWAY_ID, kind: 'gateway', admin: `${host}:${state.gateway.admin}` });
  }
  return members;
}

/** The ring entry of a recorded node (active; ring-plans.ts sets other states). */
export function ringNodeOf(record: NodeRecord, host: string): RingNode {
  return {
    id: record.id,
    address: `${host}:${record.resp}`,
    grpcAddress: `${host}:${record.grpc}`,
    adminAddress: `${host}:${record.admin}`,
    weight: 1,
    state: 'active',
  };
}
