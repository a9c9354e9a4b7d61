/**
 * A circuit breaker around the model (research note §4.7): after `failureThreshold` failures in
 * a row (the scorer threw, or a batch overran its deadline) it opens, and the policy evicts
 * exactly as its base would. After `cooldown` it lets one batch through (half-open): a success
 * closes it, a failure opens it again for another cooldown.
 *
 * Time comes from the injected `now` (the node: a monotonic clock in ms; the simulator: its
 * logical request counter, so that runs are reproducible).
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly now: () => number;
  /** Consecutive failures that open the breaker. @default 3 */
  readonly failureThreshold?: number;
  /** How long it stays open before a trial, in `now`'s unit. */
  readonly cooldown: number;
}

export class CircuitBreaker {
  readonly #now: () => number;
  readonly #threshold: number;
  readonly #cooldown: number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #opens = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#now = options.now;
    this.#threshold = Math.max(1, options.failureThreshold ?? 3);
    this.#cooldown = options.cooldown;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** How many times it has opened. */
  get opens(): number {
    return this.#opens;
  }

  /** Whether the model may be used now; moves open → half-open once the cooldown has passed. */
  allow(): boolean {
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#cooldown) return false;
      this.#state = 'half-open';
    }
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#state = 'closed';
  }

  failure(): void {
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) this.#open();
  }

  /** Back to closed with no failures counted (a new model arrived). */
  reset(): void {
    this.#failures = 0;
    this.#state = 'closed';
  }

  #open(): void {
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#opens++;
  }
}
