/**
 * Time as the cache sees it. Everything that reads the time takes a Clock, so that tests can
 * drive expiry and latency with a ManualClock instead of sleeping.
 */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (TTLs and EXPIREAT are in this unit). */
  now(): number;
  /** A monotonic high-resolution reading in milliseconds, for measuring durations only. */
  monotonic(): number;
}

/** The real clock of the process. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
  };
}

/** A clock that only moves when told to; for tests of TTLs, cooldowns and deadlines. */
export class ManualClock implements Clock {
  #now: number;
  #mono = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#mono;
  }

  /** Moves both readings forward by `ms`. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (${ms} ms)`);
    this.#now += ms;
    this.#mono += ms;
  }
}
