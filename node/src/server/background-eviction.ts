/**
 * Runs the store's eviction ahead of need (`Store.evictAhead`) between event-loop turns, after
 * the replies of the turn that filled the headroom are written: a client waits for its reply,
 * never for the eviction (or the learned policy's scoring) that its write made due.
 *
 * Each run evicts a bounded batch and, while more is due, schedules the next run behind the
 * requests that have arrived in the meantime, so a large backlog (a lowered maxmemory, a burst
 * of big writes) cannot stall the event loop.
 */

/** What the scheduler needs of the store. */
export interface EvictsAhead {
  evictAhead(maxVictims: number): boolean;
}

export interface BackgroundEvictionOptions {
  readonly store: EvictsAhead;
  /** Runs a callback after the I/O of the current turn (setImmediate in a node). */
  readonly schedule: (run: () => void) => void;
  /** Victims per run. @default 256 */
  readonly batch?: number;
  /**
   * A run that threw (a policy bug: inline, the same error fails the command that evicts). The
   * run ends and the next `due` starts over; without this the error is thrown to the event loop.
   */
  readonly onError?: (error: unknown) => void;
}

export interface BackgroundEviction {
  /** The store's `onEvictionDue`: schedules a run unless one is pending. */
  due(): void;
  /** Stops scheduling; a pending run does nothing. */
  close(): void;
  /** Runs so far (diagnostics and tests). */
  readonly runs: number;
}

export function createBackgroundEviction(options: BackgroundEvictionOptions): BackgroundEviction {
  const { store, schedule } = options;
  const batch = options.batch ?? 256;
  if (!Number.isSafeInteger(batch) || batch < 1) {
    throw new RangeError(`background eviction batch must be an integer >= 1, got ${batch}`);
  }
  let pending = false;
  let closed = false;
  let runs = 0;
  const run = (): void => {
    if (closed) return;
    runs++;
    let more = false;
    try {
      more = store.evictAhead(batch);
    } catch (error) {
      pending = false;
      if (options.onError === undefined) throw error;
      options.onError(error);
      return;
    }
    if (more) schedule(run);
    else pending = false;
  };
  return {
    due() {
      if (pending || closed) return;
      pending = true;
      schedule(run);
    },
    close() {
      closed = true;
    },
    get runs() {
      return runs;
    },
  };
}
