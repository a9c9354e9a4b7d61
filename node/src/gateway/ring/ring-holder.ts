import { acceptRing } from '../../cluster/accept-ring.ts';
import type { AcceptReason } from '../../cluster/accept-ring.ts';
import type { Ring } from '../../cluster/ring.ts';
import { parseRingDocument } from '../../cluster/ring-document.ts';
import type { Logger } from '../../util/logger.ts';

/** Why a ring was not applied: the acceptance rule's reasons, or a document that is not a ring. */
export type RingRejection = Exclude<AcceptReason, 'accepted' | 'same'> | 'invalid' | 'unreadable';

export const RING_REJECTIONS: readonly RingRejection[] = [
  'invalid',
  'unreadable',
  'stale-epoch',
  'conflict-same-epoch',
  'shard-count-changed',
];

/** What happened to an offered ring. */
export type RingOutcome =
  | { readonly kind: 'applied'; readonly epoch: number }
  | { readonly kind: 'same'; readonly epoch: number }
  | {
      readonly kind: 'rejected';
      readonly reason: RingRejection;
      readonly problems: readonly string[];
    };

/**
 * The gateway's current ring and the rule for replacing it (`acceptRing`: epochs only go
 * forward, one epoch is one ring). Every refusal is logged with its reason and counted by reason;
 * the last good ring stays.
 */
export class RingHolder {
  /** Rings applied since start. */
  applied = 0;
  readonly rejected = new Map<RingRejection, number>(RING_REJECTIONS.map((reason) => [reason, 0]));
  #ring: Ring | undefined;
  readonly #apply: (ring: Ring) => void;
  readonly #logger: Logger;

  constructor(apply: (ring: Ring) => void, logger: Logger) {
    this.#apply = apply;
    this.#logger = logger;
  }

  get ring(): Ring | undefined {
    return this.#ring;
  }

  /** Offers a ring document's text from `source` (a file path, `PUT /v1/ring`). */
  offerText(text: string, source: string): RingOutcome {
    const parsed = parseRingDocument(text);
    if (!parsed.ok) return this.#reject('invalid', source, parsed.problems);
    return this.offer(parsed.ring, source);
  }

  /** Offers a validated ring. */
  offer(ring: Ring, source: string): RingOutcome {
    const decision = acceptRing(this.#ring, ring);
    if (decision.reason === 'same') return { kind: 'same', epoch: ring.epoch };
    if (!decision.apply) {
      const current = this.#ring?.epoch;
      return this.#reject(decision.reason as RingRejection, source, [
        `offered epoch ${ring.epoch}, current epoch ${current ?? 'none'}`,
      ]);
    }
    const previous = this.#ring?.epoch;
    this.#ring = ring;
    this.#apply(ring);
    this.applied++;
    this.#logger.info('ring applied', {
      source,
      epoch: ring.epoch,
      previousEpoch: previous ?? null,
      nodes: ring.nodes.length,
    });
    return { kind: 'applied', epoch: ring.epoch };
  }

  /** Records a source that could not be read at all. */
  unreadable(source: string, problem: string): RingOutcome {
    return this.#reject('unreadable', source, [problem]);
  }

  #reject(reason: RingRejection, source: string, problems: readonly string[]): RingOutcome {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.#logger.error('ring refused; keeping the current ring', {
      source,
      reason,
      currentEpoch: this.#ring?.epoch ?? null,
      problems: problems.slice(0, 10),
    });
    return { kind: 'rejected', reason, problems };
  }
}
