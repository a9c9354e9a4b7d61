/** Redis's SLOWLOG_ENTRY_MAX_ARGC: arguments kept per entry, the last one saying how many more. */
export const SLOWLOG_MAX_ARGS = 32;
/** Redis's SLOWLOG_ENTRY_MAX_STRING: bytes kept per argument, the rest said in a suffix. */
export const SLOWLOG_MAX_ARG_BYTES = 128;
/** Redis's defaults for slowlog-log-slower-than (µs) and slowlog-max-len. */
export const SLOWLOG_DEFAULT_SLOWER_THAN_US = 10_000;
export const SLOWLOG_DEFAULT_MAX_LEN = 128;

/** A command's arguments as the slow log reads them (CommandArgs fits). */
export interface SlowLogArgs {
  readonly count: number;
  /** Argument `i`'s bytes; read once, copied when kept. */
  view(i: number): Uint8Array;
}

/** One SLOWLOG GET element, as Redis 7 sends it. */
export interface SlowLogEntry {
  readonly id: number;
  /** Unix seconds when it was logged. */
  readonly time: number;
  readonly durationUs: number;
  readonly args: readonly Buffer[];
  /** `ip:port` of the client. */
  readonly client: string;
  /** The client's name (CLIENT SETNAME), '' when none. */
  readonly clientName: string;
}

/**
 * Redis's slow log: the commands that ran for at least `slowerThanUs` microseconds, newest first,
 * at most `maxLen` of them. Pure: the caller measures and passes the time. Entries own copies of
 * at most 32 arguments of at most 128 bytes each, so a logged MSET of a million values costs the
 * same as a small one. Ids keep counting across RESET, as Redis's do.
 */
export class SlowLog {
  /** Negative: nothing is logged; 0: every command is (CONFIG SET slowlog-log-slower-than). */
  slowerThanUs = SLOWLOG_DEFAULT_SLOWER_THAN_US;
  /**
   * Entries kept (CONFIG SET slowlog-max-len). Lowering it trims at the next entry logged, not at
   * once: SLOWLOG LEN shows the old length until then, as in Redis.
   */
  maxLen = SLOWLOG_DEFAULT_MAX_LEN;
  #nextId = 0;
  /** Oldest first from `#start`: appending and trimming are O(1), compaction amortised. */
  #entries: SlowLogEntry[] = [];
  #start = 0;

  get length(): number {
    return this.#entries.length - this.#start;
  }

  /** True when a command that ran `durationUs` is to be logged (Redis compares with >=). */
  wants(durationUs: number): boolean {
    return this.slowerThanUs >= 0 && this.maxLen > 0 && durationUs >= this.slowerThanUs;
  }

  /** Logs a command if `wants` it; trims the oldest entries beyond `maxLen`. */
  record(
    args: SlowLogArgs,
    durationUs: number,
    timeSeconds: number,
    client: string,
    clientName: string,
  ): void {
    if (!this.wants(durationUs)) return;
    this.#entries.push({
      id: this.#nextId++,
      time: timeSeconds,
      durationUs,
      args: keptArgs(args),
      client,
      clientName,
    });
    const excess = this.length - this.maxLen;
    if (excess > 0) this.#start += excess;
    // Dropped entries are released once they are half the array (amortised O(1) per entry).
    if (this.#start > 64 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The newest `count` entries, newest first (SLOWLOG GET; -1 for all). */
  newest(count: number): SlowLogEntry[] {
    const entries = this.#entries;
    const last = count < 0 ? this.#start : Math.max(this.#start, entries.length - count);
    const out: SlowLogEntry[] = [];
    for (let i = entries.length - 1; i >= last; i--) out.push(entries[i] as SlowLogEntry);
    return out;
  }

  reset(): void {
    this.#entries = [];
    this.#start = 0;
  }
}

/**
 * Redis's slowlogCreateEntry: the first 31 arguments and `... (N more arguments)` in place of the
 * rest when there are more than 32; each argument cut at 128 bytes with `... (N more bytes)`.
 */
function keptArgs(args: SlowLogArgs): Buffer[] {
  const count = Math.min(args.count, SLOWLOG_MAX_ARGS);
  const kept: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (count !== args.count && i === count - 1) {
      kept.push(Buffer.from(`... (${args.count - count + 1} more arguments)`, 'latin1'));
      break;
    }
    const bytes = args.view(i);
    if (bytes.length > SLOWLOG_MAX_ARG_BYTES) {
      const more = Buffer.from(`... (${bytes.length - SLOWLOG_MAX_ARG_BYTES} more bytes)`);
      kept.push(Buffer.concat([bytes.subarray(0, SLOWLOG_MAX_ARG_BYTES), more]));
    } else {
      kept.push(Buffer.from(bytes));
    }
  }
  return kept;
}
