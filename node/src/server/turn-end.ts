/**
 * The end of an event-loop turn, as Redis's `beforeSleep`: socket writes wait until every I/O
 * callback that was ready has run (setImmediate runs after them), and background work (eviction
 * ahead of need) runs only after those writes.
 *
 * - A node writes the replies that every socket read of the turn produced back to back, once the
 *   turn's commands have all run. A reply written while other sockets' commands are still to run
 *   often finds its client asleep, and waking it costs the writing thread microseconds in the
 *   kernel; the more such wake-ups, the slower the server, and the slower the server, the more
 *   often clients are asleep. Written together, the first write wakes a client and the rest find
 *   it runnable (docs/benchmarks.md, "Replies at the end of the turn", has the numbers).
 * - The gateway sends requests that many clients sent in the same turn to a node in one write,
 *   and the replies one node chunk carried for a client in one write: without pipelining on the
 *   client side, the node still sees pipelined traffic.
 *
 * One per process, so that eviction never delays a reply of the turn that made it due.
 */

/** Something with bytes to write at the end of the turn. */
export interface Flushable {
  /** Set and cleared by TurnEnd only: the item is queued for this turn's end. */
  scheduled: boolean;
  flush(): void;
}

export class TurnEnd {
  readonly #defer: (run: () => void) => void;
  #pending: Flushable[] = [];
  #later: (() => void)[] = [];
  #armed = false;

  /** `defer` runs its callback once the turn's I/O callbacks have run. @default setImmediate */
  constructor(defer: (run: () => void) => void = setImmediate) {
    this.#defer = defer;
  }

  /** Flushes `item` at the end of this turn (once, however often it is scheduled). */
  schedule(item: Flushable): void {
    if (item.scheduled) return;
    item.scheduled = true;
    this.#pending.push(item);
    this.#arm();
  }

  /**
   * Runs `run` at the end of this turn, after the flushes. Queued while the end of a turn runs,
   * it waits for the next turn, behind the requests that arrive meanwhile.
   */
  later(run: () => void): void {
    this.#later.push(run);
    this.#arm();
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#defer(this.#run);
  }

  /**
   * The end of the turn: every flush, then the later work. A task that throws does not keep the
   * others from running; the first error is thrown once all have run, as inline it would be.
   */
  readonly #run = (): void => {
    this.#armed = false;
    let failure: { error: unknown } | undefined;
    // A flush may schedule more (a client reply that completes a fan-out): loop until quiet.
    while (this.#pending.length > 0) {
      const items = this.#pending;
      this.#pending = [];
      for (const item of items) {
        item.scheduled = false;
        try {
          item.flush();
        } catch (error) {
          failure ??= { error };
        }
      }
    }
    const later = this.#later;
    this.#later = [];
    for (const run of later) {
      try {
        run();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (this.#pending.length > 0 || this.#later.length > 0) this.#arm();
    if (failure !== undefined) throw failure.error;
  };
}
