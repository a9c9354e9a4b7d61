import { acceptRing } from '../cluster/accept-ring.ts';
import type { AcceptReason } from '../cluster/accept-ring.ts';
import type { Ring } from '../cluster/ring.ts';
import { parseRingDocument } from '../cluster/ring-document.ts';
import type { Logger } from '../util/logger.ts';

/** Why a ring was not taken: malformed text, or acceptRing's reasons other than `same`. */
export type RejectReason = 'malformed' | Exclude<AcceptReason, 'accepted' | 'same'>;

/** The outcome of offering a ring document. */
export type RingOffer =
  | { readonly outcome: 'applied'; readonly epoch: number }
  | { readonly outcome: 'same'; readonly epoch: number }
  | {
      readonly outcome: 'rejected';
      readonly reason: RejectReason;
      readonly problems: readonly string[];
    };

/** Where a ring came from, for the log lines. */
export type RingOrigin = 'file' | 'admin';

/**
 * The single entry for ring documents, from the watched file and from `PUT /v1/ring` alike:
 * parse strictly, apply the epoch rule (acceptRing), count and log every refusal with its reason,
 * and hand accepted rings to `apply`. A refused document changes nothing: the last good ring
 * stays.
 */
export class RingIntake {
  readonly rejected = new Map<RejectReason, number>();
  readonly #apply: (ring: Ring) => void;
  readonly #current: () => Ring | undefined;
  readonly #nodeId: string;
  readonly #logger: Logger;

  constructor(options: {
    readonly apply: (ring: Ring) => void;
    readonly current: () => Ring | undefined;
    readonly nodeId: string;
    readonly logger: Logger;
  }) {
    this.#apply = options.apply;
    this.#current = options.current;
    this.#nodeId = options.nodeId;
    this.#logger = options.logger;
  }

  offer(text: string, origin: RingOrigin): RingOffer {
    const parsed = parseRingDocument(text);
    if (!parsed.ok) return this.#reject('malformed', parsed.problems, origin);
    const current = this.#current();
    const decision = acceptRing(current, parsed.ring);
    if (decision.reason === 'same') return { outcome: 'same', epoch: parsed.ring.epoch };
    if (!decision.apply) {
      const epochs = `offered epoch ${parsed.ring.epoch}, current ${current?.epoch ?? 'none'}`;
      return this.#reject(decision.reason as RejectReason, [epochs], origin);
    }
    const ring = parsed.ring;
    if (!ring.nodes.some((node) => node.id === this.#nodeId)) {
      this.#logger.warn('ring does not list this node: it owns no shard', {
        nodeId: this.#nodeId,
        epoch: ring.epoch,
        origin,
      });
    }
    this.#apply(ring);
    this.#logger.info('ring applied', {
      epoch: ring.epoch,
      previous: current?.epoch ?? null,
      origin,
      migrations: ring.migrations.length,
    });
    return { outcome: 'applied', epoch: ring.epoch };
  }

  #reject(reason: RejectReason, problems: readonly string[], origin: RingOrigin): RingOffer {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.#logger.warn('ring refused; keeping the last good ring', {
      reason,
      origin,
      problems: problems.slice(0, 20),
      current: this.#current()?.epoch ?? null,
    });
    return { outcome: 'rejected', reason, problems };
  }
}
