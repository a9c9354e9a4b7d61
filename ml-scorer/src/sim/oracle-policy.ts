import type { EvictionPolicy } from '../../../node/src/policy/eviction-policy.ts';

/**
 * The extension an offline (clairvoyant) policy adds to the node's contract: before the
 * callbacks of each request, the simulator tells it the request's virtual time and the virtual
 * time of the next request to the same key. Only the simulator can do this, because only a
 * recorded trace knows the future.
 */
export interface OraclePolicy extends EvictionPolicy {
  readonly oracle: true;
  /**
   * Called before any other callback of a request. `vtime` is the request's 0-based index in the
   * trace; `nextAccess` the index of the key's next request, Infinity when there is none.
   */
  observe(vtime: number, nextAccess: number): void;
  /** On a miss: whether the object of the request just observed should be admitted at all. */
  admits(): boolean;
}

/** Whether a policy needs next-access times from the simulator. */
export function isOraclePolicy(policy: EvictionPolicy): policy is OraclePolicy {
  return (policy as Partial<OraclePolicy>).oracle === true;
}
