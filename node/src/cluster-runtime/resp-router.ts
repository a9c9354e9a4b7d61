import type { CommandArgs } from '../protocol/resp/command-args.ts';
import type { CommandEntry } from '../server/resp/command-registry.ts';
import type { CommandRouter, RouteVerdict } from '../server/resp/command-router.ts';
import { keyRangeOf } from '../server/resp/command-spec.ts';
import type { CacheStore } from '../core/store-types.ts';
import { ROLE } from './cluster-state.ts';
import type { ClusterState } from './cluster-state.ts';
import type { FaultIn } from './fault-in.ts';
import { keyHashAt } from './key-hash-at.ts';
import type { LoadTracker } from './load-tracker.ts';
import type { MigrationCounters } from './migration-counters.ts';
import { isReservedKey, RESERVED_FIRST_BYTE } from './reserved-keys.ts';
import { preparingError, ROUTE_ERRORS } from './route-errors.ts';

export interface RespRouterOptions {
  readonly state: ClusterState;
  readonly store: CacheStore;
  readonly faultIn: FaultIn;
  readonly counters: MigrationCounters;
  /** The load tracker once the first ring gave the shard count. */
  readonly load: () => LoadTracker | undefined;
  /** One keyed command in this many is recorded in the load tracker. */
  readonly sampleEvery: number;
}

/** SET options that make it read the key's current state (or possibly delete it). */
const READING_SET_OPTIONS = ['nx', 'xx', 'get', 'keepttl', 'exat', 'pxat'] as const;

/**
 * The RESP command router of a cluster node (server/resp/command-router.ts): for each key of a
 * command, in the table's key positions, the shard's role decides. Owned: run. Foreign: MOVED for
 * the first such key (the gateway splits multi-key commands by owner, so a mix only happens when
 * rings disagree). Preparing: TRYAGAIN. Receiving: run if the key is resolved here or the command
 * overwrites it without looking (SET without NX/XX/GET/KEEPTTL/EXAT/PXAT, MSET); otherwise make
 * the command wait until the key is fetched from the shard's sources (FaultIn).
 *
 * Per key the cost is one XXH64 of the key's bytes (read in place in the request) and one array
 * read; the key string is built only for shards being received and for sampled requests.
 */
export class RespRouter implements CommandRouter {
  readonly #options: RespRouterOptions;
  #countdown: number;

  constructor(options: RespRouterOptions) {
    this.#options = options;
    this.#countdown = options.sampleEvery;
  }

  route(entry: CommandEntry, args: CommandArgs): RouteVerdict {
    const spec = entry.spec;
    let first = spec.firstKey;
    let step = spec.step;
    let last = spec.lastKey < 0 ? args.count + spec.lastKey : spec.lastKey;
    if (spec.movableKeys !== undefined) {
      // EVAL: the keys a script declares route it; a script without keys runs where it is sent.
      ({ first, last, step } = keyRangeOf(spec, args));
      if (first === 0) return undefined;
    } else if (first === 0) {
      if (spec.name === 'flushall' || spec.name === 'flushdb') this.#flush();
      return undefined;
    }
    const { state, store, faultIn, counters } = this.#options;
    const roles = state.roles;
    if (roles.length === 0) return ROUTE_ERRORS.NO_RING;
    const mask = roles.length - 1;
    const count = args.count;
    const bytes = args.buffer;
    let waits: Promise<string | undefined>[] | undefined;
    for (let i = first; i <= last && i < count; i += step) {
      const start = args.starts[i]!;
      const end = args.ends[i]!;
      if (bytes[start] === RESERVED_FIRST_BYTE && end > start && isReservedKey(args.latin1(i))) {
        return ROUTE_ERRORS.RESERVED;
      }
      const shard = keyHashAt(bytes, start, end) & mask;
      if (i === first && --this.#countdown === 0) this.#sample(shard, args.latin1(i));
      const role = roles[shard];
      if (role === ROLE.OWNED) continue;
      if (role === ROLE.FOREIGN) {
        counters.moved++;
        return state.movedError(shard);
      }
      if (role === ROLE.PREPARING) return preparingError(shard);
      const key = args.latin1(i);
      const reception = state.receptions.get(shard);
      if (reception === undefined || reception.isResolved(key, store.has(key))) continue;
      if (overwritesBlindly(entry, args)) continue;
      (waits ??= []).push(faultIn.fetch(reception, key));
    }
    if (waits === undefined) return undefined;
    if (waits.length === 1) return waits[0];
    return Promise.all(waits).then((errors) => errors.find((error) => error !== undefined));
  }

  #sample(shard: number, key: string): void {
    this.#countdown = this.#options.sampleEvery;
    this.#options.load()?.record(shard, key);
  }

  #flush(): void {
    const state = this.#options.state;
    state.flush();
    // The flush clears the persistence port after this returns: the records are written again.
    queueMicrotask(() => state.afterFlush());
  }
}

/** True for writes that replace the key whatever it held, without reporting what it held. */
function overwritesBlindly(entry: CommandEntry, args: CommandArgs): boolean {
  const name = entry.spec.name;
  if (name === 'mset' || name === 'setex' || name === 'psetex') return true;
  if (name !== 'set') return false;
  for (let i = 3; i < args.count; i++) {
    for (const option of READING_SET_OPTIONS) if (args.is(i, option)) return false;
  }
  return true;
}
