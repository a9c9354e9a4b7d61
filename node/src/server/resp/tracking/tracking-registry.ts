import type { ChangeSource } from './change-feed.ts';
import {
  brokenRedirectPush,
  flushPayload,
  invalidateMessage,
  invalidatePush,
  keysPayload,
} from './tracking-frames.ts';

/** One client's CLIENT TRACKING settings (Redis's CLIENT_TRACKING_* flags). */
export interface TrackingState {
  /** The id of the client that receives this one's invalidations; 0 for itself. */
  redirect: number;
  /** BCAST: told of every change to keys under its prefixes, whether it read them or not. */
  bcast: boolean;
  /** OPTIN: only the keys of a command after CLIENT CACHING YES are remembered. */
  optin: boolean;
  /** OPTOUT: the keys of a command after CLIENT CACHING NO are not remembered. */
  optout: boolean;
  /** NOLOOP: not told of the keys it changed itself. */
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  caching: boolean;
  /** The client it redirects to was gone when an invalidation was due. */
  brokenRedirect: boolean;
  /** BCAST's prefixes ('' for every key). */
  readonly prefixes: Set<string>;
}

/** What the registry needs of a client: the RESP front end's Session. */
export interface TrackedClient {
  readonly id: number;
  readonly resp3: boolean;
  tracking: TrackingState | undefined;
  /** Subscribed to something: a RESP2 client can then take redirected invalidations. */
  readonly subscriptions: { readonly active: boolean };
  push(frame: Buffer): void;
}

/** How CLIENT TRACKING ON asks for tracking (checked by the command before it comes here). */
export interface TrackingOptions {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  readonly prefixes: readonly string[];
}

/** A BCAST prefix: its clients, and the keys under it changed since the last broadcast. */
interface Prefix {
  readonly clients: Set<TrackedClient>;
  /** Each changed key, and the client whose command changed it last (NOLOOP). */
  readonly changed: Map<string, TrackedClient | undefined>;
}

/** tracking-table-max-keys' default, as Redis. */
export const DEFAULT_TRACKING_MAX_KEYS = 1_000_000;

/**
 * Server-assisted client-side caching (CLIENT TRACKING), as Redis 7.0 does it. One per server.
 *
 * - **Default mode.** The keys of every read-only command a tracking client runs are remembered
 *   with its id. The first change to such a key (any write, a new expiry, a removal of any kind:
 *   the store's change feed, whatever command, gRPC call, eviction or migration made it) sends
 *   the key to each client that read it, once: the key is then forgotten until read again.
 * - **BCAST.** Nothing is remembered; every change to a key under a client's prefixes is sent
 *   to it, the keys of a turn together per prefix, at the end of the turn (Redis's beforeSleep).
 * - Invalidations go to the client itself as RESP3 pushes, or to the client it redirects to:
 *   pushes there too, or, when that client speaks RESP2 and is subscribed, messages on
 *   `__redis__:invalidate`. A flush sends a null to every tracking client.
 *
 * The table holds at most `maxKeys` keys (tracking-table-max-keys; 0 is no limit): past it the
 * oldest remembered keys are invalidated, as if changed, which keeps clients correct. The store
 * reports changes only while some client tracks.
 */
export class TrackingRegistry {
  /** tracking-table-max-keys. */
  maxKeys = DEFAULT_TRACKING_MAX_KEYS;
  /**
   * The tracking client whose command is running, set by the dispatcher around it, so that NOLOOP
   * knows who changed a key and its own invalidations can wait for the command's reply;
   * undefined between commands and for other clients.
   */
  current: TrackedClient | undefined = undefined;

  readonly #clients: ReadonlyMap<number, TrackedClient>;
  readonly #changes: ChangeSource;
  readonly #defer: (run: () => void) => void;
  /**
   * Default mode's table: each remembered key and the clients that read it, the id alone while
   * there is one (most keys), so that remembering a key allocates no set.
   */
  readonly #keys = new Map<string, number | Set<number>>();
  #items = 0;
  readonly #prefixes = new Map<string, Prefix>();
  #tracking = 0;
  #sent = 0;
  #broadcastDue = false;
  /** Invalidations for `current`, sent after its command's reply (`sendPending`). */
  #pending: Buffer[] = [];

  /**
   * Whether NOLOOP can be honoured: only where the changes are seen as they are made (a node),
   * not where they come back from elsewhere (the gateway, which refuses NOLOOP).
   */
  readonly noloop: boolean;

  /**
   * `clients` finds a client by id (the server's open sessions); `changes` is the store's change
   * feed; `defer` runs the broadcast at the end of the turn.
   */
  constructor(
    clients: ReadonlyMap<number, TrackedClient>,
    changes: ChangeSource,
    defer: (run: () => void) => void,
    options: { readonly noloop?: boolean } = {},
  ) {
    this.#clients = clients;
    this.#changes = changes;
    this.#defer = defer;
    this.noloop = options.noloop ?? true;
  }

  /** Clients with tracking on (INFO tracking_clients). */
  get clients(): number {
    return this.#tracking;
  }

  /** Keys remembered (INFO tracking_total_keys). */
  get keys(): number {
    return this.#keys.size;
  }

  /** Key and client pairs remembered (INFO tracking_total_items). */
  get items(): number {
    return this.#items;
  }

  /** BCAST prefixes in use (INFO tracking_total_prefixes). */
  get prefixes(): number {
    return this.#prefixes.size;
  }

  /** Invalidation messages sent (metrics). */
  get sent(): number {
    return this.#sent;
  }

  /**
   * CLIENT TRACKING ON: (re)enables tracking with these options. As in Redis, the mode flags are
   * replaced, while BCAST prefixes add to those the client has.
   */
  enable(client: TrackedClient, options: TrackingOptions): void {
    let state = client.tracking;
    if (state === undefined) {
      state = client.tracking = {
        redirect: 0,
        bcast: false,
        optin: false,
        optout: false,
        noloop: false,
        caching: false,
        brokenRedirect: false,
        prefixes: new Set(),
      };
      if (this.#tracking++ === 0) this.#changes.observeChanges(this.#onChange);
    }
    state.redirect = options.redirect;
    state.brokenRedirect = false;
    state.optin = options.optin;
    state.optout = options.optout;
    state.noloop = options.noloop;
    state.bcast = options.bcast;
    if (options.bcast) {
      for (const prefix of options.prefixes.length === 0 ? [''] : options.prefixes) {
        state.prefixes.add(prefix);
        let entry = this.#prefixes.get(prefix);
        if (entry === undefined) {
          entry = { clients: new Set(), changed: new Map() };
          this.#prefixes.set(prefix, entry);
        }
        entry.clients.add(client);
      }
    }
  }

  /** CLIENT TRACKING OFF, RESET, or a closed connection. */
  disable(client: TrackedClient): void {
    const state = client.tracking;
    if (state === undefined) return;
    for (const prefix of state.prefixes) {
      const entry = this.#prefixes.get(prefix);
      entry?.clients.delete(client);
      if (entry?.clients.size === 0) this.#prefixes.delete(prefix);
    }
    client.tracking = undefined;
    if (--this.#tracking === 0) {
      // The keys left name only clients that no longer track: nothing would be sent for them.
      this.#changes.observeChanges(undefined);
      this.#keys.clear();
      this.#items = 0;
    }
  }

  /**
   * Remembers keys a tracking client read (a read-only command ran), when `remembers` says so.
   * `keys` yields them as latin1 strings.
   */
  remember(client: TrackedClient, keys: Iterable<string>): void {
    if (!this.remembers(client)) return;
    for (const key of keys) this.rememberKey(client.id, key);
    this.enforceLimit();
  }

  /**
   * Whether a read by `client` now is remembered: it tracks, not in BCAST, and neither OPTIN
   * without CLIENT CACHING YES nor OPTOUT after CLIENT CACHING NO holds it back.
   */
  remembers(client: TrackedClient): boolean {
    const state = client.tracking;
    if (state === undefined || state.bcast) return false;
    return !((state.optin && !state.caching) || (state.optout && state.caching));
  }

  /** Remembers that client `id` read `key`; `enforceLimit` after a command's keys. */
  rememberKey(id: number, key: string): void {
    const readers = this.#keys.get(key);
    if (readers === undefined) {
      this.#keys.set(key, id);
    } else if (typeof readers === 'number') {
      if (readers === id) return;
      const set = new Set<number>();
      set.add(readers).add(id);
      this.#keys.set(key, set);
    } else {
      if (readers.has(id)) return;
      readers.add(id);
    }
    this.#items++;
  }

  /** Invalidates the oldest keys while more than tracking-table-max-keys are remembered. */
  enforceLimit(): void {
    if (this.maxKeys > 0 && this.#keys.size > this.maxKeys) this.#limit();
  }

  /** CONFIG SET tracking-table-max-keys: applies the new limit at once. */
  setMaxKeys(maxKeys: number): void {
    this.maxKeys = maxKeys;
    if (maxKeys > 0) this.#limit();
  }

  #limit(): void {
    // Oldest first: Map keeps the order in which keys were first remembered.
    for (const key of this.#keys.keys()) {
      if (this.#keys.size <= this.maxKeys) return;
      this.#invalidate(key);
    }
  }

  readonly #onChange = (key: string | undefined): void => {
    if (key === undefined) {
      this.#flushed();
      return;
    }
    if (this.#prefixes.size > 0) this.#noteForBroadcast(key);
    this.#invalidate(key);
  };

  #invalidate(key: string): void {
    const readers = this.#keys.get(key);
    if (readers === undefined) return;
    this.#keys.delete(key);
    const ids = typeof readers === 'number' ? [readers] : readers;
    this.#items -= typeof readers === 'number' ? 1 : readers.size;
    let payload: Buffer | undefined;
    for (const id of ids) {
      const target = this.#clients.get(id);
      const state = target?.tracking;
      // Gone, no longer tracking, or switched to BCAST since it read the key.
      if (target === undefined || state === undefined || state.bcast) continue;
      if (state.noloop && target === this.current) continue;
      this.#sendOrHold(target, (payload ??= keysPayload([key])));
    }
  }

  /**
   * Sends what the current client's own command invalidated for it. The dispatcher calls it
   * once the command (a whole EXEC, or a script) has written its reply: Redis 7.0 sends a client
   * its own invalidations after the reply, never inside a transaction's.
   */
  sendPending(client: TrackedClient): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    if (client.tracking !== undefined) for (const payload of pending) this.#send(client, payload);
  }

  #sendOrHold(client: TrackedClient, payload: Buffer): void {
    if (client === this.current) this.#pending.push(payload);
    else this.#send(client, payload);
  }

  #flushed(): void {
    this.#keys.clear();
    this.#items = 0;
    for (const client of this.#clients.values()) {
      if (client.tracking !== undefined) this.#sendOrHold(client, flushPayload(client.resp3));
    }
  }

  #noteForBroadcast(key: string): void {
    for (const [prefix, entry] of this.#prefixes) {
      if (key.startsWith(prefix)) entry.changed.set(key, this.current);
    }
    if (!this.#broadcastDue) {
      this.#broadcastDue = true;
      this.#defer(this.#broadcast);
    }
  }

  /** Sends each BCAST client the keys changed under its prefixes, prefixes and keys in byte order. */
  readonly #broadcast = (): void => {
    this.#broadcastDue = false;
    for (const prefix of [...this.#prefixes.keys()].sort()) {
      const entry = this.#prefixes.get(prefix)!;
      if (entry.changed.size === 0) continue;
      const keys = [...entry.changed.keys()].sort();
      const all = keysPayload(keys);
      for (const client of entry.clients) {
        if (client.tracking?.noloop !== true) {
          this.#send(client, all);
          continue;
        }
        const others = keys.filter((key) => entry.changed.get(key) !== client);
        if (others.length > 0) this.#send(client, keysPayload(others));
      }
      entry.changed.clear();
    }
  };

  /** Redis's sendTrackingMessage: to the client, or to the one it redirects to. */
  #send(client: TrackedClient, payload: Buffer): void {
    const state = client.tracking!;
    if (state.redirect === 0) {
      if (client.resp3) this.#deliver(client, invalidatePush(payload));
      return;
    }
    const target = this.#clients.get(state.redirect);
    if (target === undefined) {
      state.brokenRedirect = true;
      if (client.resp3) client.push(brokenRedirectPush(state.redirect));
      return;
    }
    if (target.resp3) this.#deliver(target, invalidatePush(payload));
    else if (target.subscriptions.active) this.#deliver(target, invalidateMessage(payload));
  }

  #deliver(client: TrackedClient, frame: Buffer): void {
    this.#sent++;
    client.push(frame);
  }
}
