/**
 * One batch at a time to a scorer in another process (scorer-port.ts `RemoteScorer`), with the
 * policy's own deadline. Eviction never waits for it: the policy sends a batch ahead of need
 * (ml-hybrid.ts), keeps evicting with what it has, and gets the scores back through `onScores`
 * when, and only if, the answer is usable:
 *
 * - it came before the deadline (a timer: a hung scorer must count as a failure too, so
 *   checking the elapsed time on arrival is not enough; both are done);
 * - the promise resolved, with one finite score per row;
 * - the scorer has a model (`modelVersion` > 0; 0 is reported through `onNoModel`).
 *
 * Anything else is reported through `onFailure` as `deadline` or `scorerError`; an answer that
 * arrives after its deadline fired is dropped (`late`). One batch is in flight at most, so a
 * hung scorer holds at most one pending promise per deadline.
 */
import type { Clock } from '../util/clock.ts';
import type { RemoteScorer, RemoteScores } from './scorer-port.ts';

/** Starts a timer; returns a function that cancels it. */
export type SetTimer = (callback: () => void, ms: number) => () => void;

/** The platform's timer, unref'd so that a pending deadline never keeps a process alive. */
export const systemTimer: SetTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  handle.unref();
  return () => clearTimeout(handle);
};

export type RemoteFailure = 'deadline' | 'scorerError';

export interface RemoteScoringOptions {
  readonly scorer: RemoteScorer;
  readonly clock: Clock;
  readonly setTimer: SetTimer;
  /** ms from sending to a usable answer. */
  readonly deadline: number;
  /** A usable answer for the batch in flight: `n` finite scores, a model version > 0. */
  readonly onScores: (reply: RemoteScores, n: number, ms: number) => void;
  /** The scorer answered in time but has no model yet. */
  readonly onNoModel: () => void;
  readonly onFailure: (reason: RemoteFailure) => void;
}

export class RemoteScoring {
  readonly #o: RemoteScoringOptions;
  /** The batch in flight: its number, 0 when none. */
  #current = 0;
  #sent = 0;
  #sentAt = 0;
  #cancel: (() => void) | null = null;
  #late = 0;

  constructor(options: RemoteScoringOptions) {
    this.#o = options;
  }

  /** Whether a batch awaits its answer. */
  get inFlight(): boolean {
    return this.#current !== 0;
  }

  /** Batches sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Answers that arrived after their deadline had fired (dropped). */
  get late(): number {
    return this.#late;
  }

  /** Sends `n` rows (a copy the scorer may keep). Call only when nothing is in flight. */
  send(rows: Float32Array, n: number): void {
    const o = this.#o;
    const id = ++this.#sent;
    this.#current = id;
    this.#sentAt = o.clock.monotonic();
    this.#cancel = o.setTimer(() => this.#expire(id), o.deadline);
    let reply: Promise<RemoteScores>;
    try {
      reply = o.scorer.score(rows, n);
    } catch {
      // A scorer that throws instead of rejecting is a failed batch all the same.
      this.#settle(id, null, n);
      return;
    }
    reply.then(
      (r) => this.#settle(id, r, n),
      () => this.#settle(id, null, n),
    );
  }

  #expire(id: number): void {
    if (this.#current !== id) return;
    this.#finish();
    this.#o.onFailure('deadline');
  }

  #settle(id: number, reply: RemoteScores | null, n: number): void {
    if (this.#current !== id) {
      this.#late++;
      return;
    }
    const o = this.#o;
    const ms = o.clock.monotonic() - this.#sentAt;
    this.#finish();
    if (reply === null) return o.onFailure('scorerError');
    if (!(ms <= o.deadline)) return o.onFailure('deadline');
    if (reply.modelVersion === 0) return o.onNoModel();
    if (!usable(reply, n)) return o.onFailure('scorerError');
    o.onScores(reply, n, ms);
  }

  #finish(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#current = 0;
  }
}

/** One finite score per row and a positive integer model version. */
function usable(reply: RemoteScores, n: number): boolean {
  const scores = reply.scores as Float64Array | undefined;
  if (!(scores instanceof Float64Array) || scores.length !== n) return false;
  if (!(Number.isInteger(reply.modelVersion) && reply.modelVersion > 0)) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i]!)) return false;
  return true;
}
