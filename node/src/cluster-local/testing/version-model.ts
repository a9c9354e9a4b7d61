/**
 * The acceptance test's model of what a cluster owes its clients (pure). Each key gets writes
 * of increasing versions, `"<key>:<version>"`, at most one in flight per key so that the order
 * of its writes is the order of their acknowledgements. Then:
 *
 * - a read must never return a version older than the latest write acknowledged before the
 *   read was issued (its *floor*), nor a version never written, nor an expired value;
 * - a read may return nothing only if there is no floor, or the floor or a later write (in flight
 *   while the read was) is a DEL or a TTL that may have expired by the time of the answer;
 * - at the end, every key holds its latest acknowledged write (DELs and expired keys absent).
 *
 * A write that failed (an error reply, a lost connection) may or may not have happened: its
 * version is then *uncertain*, and both outcomes are allowed until a later write is acknowledged.
 * Times are wall-clock ms, the clock nodes expire keys with (same machine).
 */

export type WriteKind = 'set' | 'set-ttl' | 'del';

export interface Write {
  readonly key: string;
  readonly version: number;
  readonly kind: WriteKind;
  /** For set-ttl. */
  readonly ttlMs: number;
  readonly sentAt: number;
}

interface Acked extends Write {
  readonly ackedAt: number;
}

interface KeyState {
  issued: number;
  inFlight: boolean;
  acked: Acked | undefined;
  /** Failed writes after the latest acknowledged one: they may have happened. */
  uncertain: Write[];
  /** The latest writes sent (acknowledged, in flight or failed), oldest first. */
  recent: Write[];
}

/** A read as issued: what it may be checked against. */
export interface ReadTicket {
  readonly key: string;
  readonly issuedAt: number;
  readonly floor: Acked | undefined;
}

/**
 * Writes remembered per key for reads in flight: a read may see any write sent before its
 * answer. Writes of a key are sequential and a read takes milliseconds, so a few are plenty.
 */
const RECENT_WRITES = 16;

/** Expiry is measured by different processes at slightly different moments. */
const EXPIRY_SLACK_MS = 100;

export class VersionModel {
  readonly #keys = new Map<string, KeyState>();
  readonly violations: string[] = [];

  /** Starts a write of `key` if none is in flight; undefined otherwise. */
  beginWrite(key: string, kind: WriteKind, ttlMs: number, now: number): Write | undefined {
    const state = this.#state(key);
    if (state.inFlight) return undefined;
    state.inFlight = true;
    state.issued++;
    const write = {
      key,
      version: state.issued,
      kind,
      ttlMs: kind === 'set-ttl' ? ttlMs : 0,
      sentAt: now,
    };
    state.recent.push(write);
    if (state.recent.length > RECENT_WRITES) state.recent.shift();
    return write;
  }

  ackWrite(write: Write, now: number): void {
    const state = this.#state(write.key);
    state.inFlight = false;
    state.acked = { ...write, ackedAt: now };
    state.uncertain = [];
  }

  failWrite(write: Write): void {
    const state = this.#state(write.key);
    state.inFlight = false;
    state.uncertain.push(write);
  }

  beginRead(key: string, now: number): ReadTicket {
    const state = this.#state(key);
    return { key, issuedAt: now, floor: state.acked };
  }

  /**
   * Checks a read's answer (a value, or null for none) received at `now`; records and returns
   * a violation.
   */
  checkRead(ticket: ReadTicket, value: string | null, now: number): string | undefined {
    const { key, floor, issuedAt } = ticket;
    const problem = (text: string) => {
      const message = `read of ${key} issued at ${issuedAt}: ${text} (floor ${describe(floor)})`;
      this.violations.push(message);
      return message;
    };
    if (value === null) {
      if (floor === undefined || floor.kind === 'del' || expiredBy(floor, now)) return;
      // Any write sent after the floor, up to the answer, may be what the read saw.
      const later = this.#state(key).recent.filter((w) => w.version > floor.version);
      if (later.length === RECENT_WRITES) return; // too many to tell: do not guess
      if (later.some((w) => w.kind === 'del' || expiredBy(w, now))) return;
      return problem('nothing returned');
    }
    const version = this.#versionOf(key, value);
    if (version === undefined) return problem(`unexpected value ${JSON.stringify(value)}`);
    if (version > this.#state(key).issued) return problem(`version ${version} was never written`);
    if (floor !== undefined && version < floor.version) {
      return problem(`stale version ${version}`);
    }
    if (
      floor !== undefined &&
      version === floor.version &&
      floor.kind === 'set-ttl' &&
      issuedAt > floor.ackedAt + floor.ttlMs + EXPIRY_SLACK_MS
    ) {
      return problem(`version ${version} returned after it expired`);
    }
    return undefined;
  }

  /**
   * The final check, once no write is in flight: the values each written key may hold at `now`
   * (its latest acknowledged write's outcome, or that of a later write whose outcome is unknown).
   */
  expectedFinal(now: number): { key: string; allowed: (string | null)[] }[] {
    const out: { key: string; allowed: (string | null)[] }[] = [];
    for (const [key, state] of this.#keys) {
      if (state.acked === undefined && state.uncertain.length === 0) continue;
      // With no acknowledged write, the key may also never have been written at all.
      const allowed = state.acked === undefined ? [null] : outcomesAt(state.acked, now);
      for (const write of state.uncertain) allowed.push(...outcomesAt(write, now));
      out.push({ key, allowed: [...new Set(allowed)] });
    }
    return out;
  }

  /** Checks the final value of a key against expectedFinal's `allowed`. */
  checkFinal(key: string, allowed: readonly (string | null)[], value: string | null): void {
    if (!allowed.includes(value)) {
      const expected = allowed.map((a) => JSON.stringify(a)).join(' or ');
      this.violations.push(`final ${key}: ${JSON.stringify(value)}, expected ${expected}`);
    }
  }

  /** Keys written (or attempted) so far. */
  get keyCount(): number {
    return this.#keys.size;
  }

  #versionOf(key: string, value: string): number | undefined {
    if (!value.startsWith(`${key}:`)) return undefined;
    const version = Number(value.slice(key.length + 1));
    return Number.isSafeInteger(version) && version > 0 ? version : undefined;
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = { issued: 0, inFlight: false, acked: undefined, uncertain: [], recent: [] };
      this.#keys.set(key, state);
    }
    return state;
  }
}

/**
 * True when a TTL write may have expired at `now`: the node sets the expiry when it runs the
 * write, at the earliest when it was sent.
 */
function expiredBy(write: Write, now: number): boolean {
  return write.kind === 'set-ttl' && now >= write.sentAt + write.ttlMs - EXPIRY_SLACK_MS;
}

/** What a key may hold at `now` if `write` was its last write. */
function outcomesAt(write: Write & { ackedAt?: number }, now: number): (string | null)[] {
  const value = `${write.key}:${write.version}`;
  if (write.kind === 'set') return [value];
  if (write.kind === 'del') return [null];
  const expiredForSure =
    write.ackedAt !== undefined && now > write.ackedAt + write.ttlMs + EXPIRY_SLACK_MS;
  if (expiredForSure) return [null];
  return expiredBy(write, now) ? [value, null] : [value];
}

function describe(write: Acked | undefined): string {
  if (write === undefined) return 'none';
  const ttl = write.kind === 'set-ttl' ? ` with TTL ${write.ttlMs} ms` : '';
  return `${write.kind} v${write.version}${ttl} sent at ${write.sentAt}, acked at ${write.ackedAt}`;
}
