/** Something with bytes to write once the current batch of events is handled. */
export interface Flushable {
  /** Set and cleared by the scheduler only. */
  scheduled: boolean;
  flush(): void;
}

/**
 * Defers socket writes to the end of the event-loop iteration (setImmediate runs after every I/O
 * callback that was ready). Requests that many clients sent in the same iteration then leave for
 * a node in one write, and replies that one node chunk carried for a client leave in one write:
 * without pipelining on the client side, the node still sees pipelined traffic.
 */
export class FlushScheduler {
  #pending: Flushable[] = [];
  #armed = false;

  schedule(item: Flushable): void {
    if (item.scheduled) return;
    item.scheduled = true;
    this.#pending.push(item);
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#run);
    }
  }

  /** Flushes everything scheduled so far now (tests, shutdown). */
  flushNow(): void {
    // A flush may schedule more (a client reply that completes a fan-out): loop until quiet.
    while (this.#pending.length > 0) {
      const items = this.#pending;
      this.#pending = [];
      for (const item of items) {
        item.scheduled = false;
        item.flush();
      }
    }
  }

  readonly #run = (): void => {
    this.#armed = false;
    this.flushNow();
  };
}
