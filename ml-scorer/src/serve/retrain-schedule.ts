/**
 * When the scorer retrains: the first model once `firstAt` rows have arrived, then every `every`
 * rows more, and never while a training is running (a job that comes due meanwhile starts when
 * the running one finishes and the next rows arrive). Pure: it counts rows, not time.
 */
export interface RetrainScheduleOptions {
  /** Rows received before the first training. */
  readonly firstAt: number;
  /** Rows received between two trainings after the first. */
  readonly every: number;
}

export class RetrainSchedule {
  readonly #firstAt: number;
  readonly #every: number;
  #startedAt = 0;
  #started = 0;
  #busy = false;

  constructor(options: RetrainScheduleOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!(Number.isSafeInteger(value) && value >= 1)) {
        throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
      }
    }
    this.#firstAt = options.firstAt;
    this.#every = options.every;
  }

  /** A training is running. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Trainings started so far. */
  get started(): number {
    return this.#started;
  }

  /** Whether a training should start now that `received` rows have arrived in all. */
  due(received: number): boolean {
    if (this.#busy) return false;
    const gap = this.#started === 0 ? this.#firstAt : this.#every;
    return received - this.#startedAt >= gap;
  }

  /** A training starts with `received` rows in; returns its number (0, 1, …). */
  start(received: number): number {
    if (this.#busy) throw new Error('a training is already running');
    this.#busy = true;
    this.#startedAt = received;
    return this.#started++;
  }

  /** The running training ended (installed, refused or failed). */
  finish(): void {
    this.#busy = false;
  }
}
