import type { ChangeSource } from '../../server/resp/tracking/change-feed.ts';

/**
 * The changes the gateway's client-side caching hears of: the keys the nodes report changed.
 * The gateway holds no keys, so its tracking registry listens here instead of to a store. While
 * it listens, every node is asked to broadcast its changes to the gateway (`setTracking`, which
 * turns CLIENT TRACKING ON BCAST on at the gateway's subscriber connections); the nodes'
 * invalidations come back through `deliver`. A null from a node, or a subscriber connection lost
 * or (re)made, means any key may have changed: it reaches the registry as a flush, so that no
 * client keeps a value the gateway could not vouch for.
 */
export class GatewayInvalidations implements ChangeSource {
  readonly #setTracking: (on: boolean) => void;
  #listener: ((key: string | undefined) => void) | undefined;

  constructor(setTracking: (on: boolean) => void) {
    this.#setTracking = setTracking;
  }

  observeChanges(listener: ((key: string | undefined) => void) | undefined): void {
    const was = this.#listener !== undefined;
    this.#listener = listener;
    if (was !== (listener !== undefined)) this.#setTracking(listener !== undefined);
  }

  /** Keys a node reports changed, or null for all of them. */
  deliver(keys: readonly Buffer[] | null): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    if (keys === null) listener(undefined);
    else for (const key of keys) listener(key.toString('latin1'));
  }
}
