import type { LinkState, NodeLink } from './node-link.ts';

/** Idle connections of a client's own kept per protocol for the next WATCH; more are closed. */
const MAX_IDLE_OWN = 8;
/** How long a borrowed connection given back closed keeps answering what is still in flight. */
const OWN_CLOSE_GRACE_MS = 5_000;

/**
 * The connections to one node: RESP2 ones, and RESP3 ones (HELLO 3 sent on connecting) opened
 * when the first RESP3 client needs them, so that a node's replies reach each client in the
 * client's protocol without being re-encoded. A client always uses the same connection of its
 * protocol (its id picks it), so the commands of one client reach the node in the order they
 * were sent, which keeps each client's read-your-writes; different clients spread over the pool.
 */
export class NodePool {
  readonly nodeId: string;
  readonly address: string;
  /** The RESP2 connections. */
  readonly links: readonly NodeLink[];

  readonly #openResp3: (() => readonly NodeLink[]) | undefined;
  readonly #openOwn: ((resp3: boolean) => NodeLink) | undefined;
  #resp3Links: readonly NodeLink[] | undefined;
  /** Connections lent to one client each (borrow), and those given back, by protocol. */
  readonly #lent = new Set<NodeLink>();
  readonly #idle: [NodeLink[], NodeLink[]] = [[], []];
  /** What closed own connections had counted, so that the pool's counters never go back. */
  readonly #retired = { routed: 0, failures: 0 };
  #closed = false;

  /**
   * `openResp3` opens the RESP3 connections; without it RESP3 clients share the RESP2 ones.
   * `openOwn` opens a connection that one client borrows for itself (WATCH); without it there are
   * none to borrow.
   */
  constructor(
    nodeId: string,
    address: string,
    links: readonly NodeLink[],
    openResp3?: () => readonly NodeLink[],
    openOwn?: (resp3: boolean) => NodeLink,
  ) {
    if (links.length === 0) throw new RangeError('a node pool needs at least one connection');
    this.nodeId = nodeId;
    this.address = address;
    this.links = links;
    this.#openResp3 = openResp3;
    this.#openOwn = openOwn;
  }

  /**
   * A connection that no other client uses until it is given back: what holds a client's WATCH,
   * which a node keeps per connection. An idle one that is still up is reused, else one is opened
   * (its requests queue while it connects). Undefined when the pool cannot lend (closed, or made
   * without `openOwn`).
   */
  borrow(resp3: boolean): NodeLink | undefined {
    if (this.#closed || this.#openOwn === undefined) return undefined;
    const idle = this.#idle[resp3 ? 1 : 0];
    let link = idle.pop();
    while (link !== undefined && link.state !== 'up') {
      this.#retire(link);
      link = idle.pop();
    }
    link ??= this.#openOwn(resp3);
    this.#lent.add(link);
    return link;
  }

  /**
   * Takes back a borrowed connection. The caller has cleared what the client left on it (its
   * requests still in flight are answered as usual); one that is down, or past the idle limit,
   * is closed.
   */
  giveBack(link: NodeLink, resp3: boolean): void {
    if (!this.#lent.delete(link)) return;
    const idle = this.#idle[resp3 ? 1 : 0];
    if (this.#closed || link.state !== 'up' || idle.length >= MAX_IDLE_OWN) {
      this.#retire(link);
    } else {
      idle.push(link);
    }
  }

  /** Connections lent to clients now, and idle ones kept for the next borrower. */
  get ownLinks(): { readonly lent: number; readonly idle: number } {
    return { lent: this.#lent.size, idle: this.#idle[0].length + this.#idle[1].length };
  }

  /**
   * The connection for a client speaking RESP3 or not: its own, or another one of the same
   * protocol that works while its own is down.
   */
  pick(clientId: number, resp3 = false): NodeLink {
    const links = resp3 ? (this.#resp3Links ?? this.#openResp3Links()) : this.links;
    const own = links[clientId % links.length] as NodeLink;
    if (own.state === 'up' || links.length === 1) return own;
    for (const link of links) if (link.state === 'up') return link;
    return own;
  }

  /** `up` when any connection is up; else `connecting` while one still tries first; else the rest. */
  get state(): LinkState {
    let connecting = false;
    let closed = true;
    for (const link of this.#shared()) {
      if (link.state === 'up') return 'up';
      if (link.state === 'connecting') connecting = true;
      if (link.state !== 'closed') closed = false;
    }
    if (connecting) return 'connecting';
    return closed ? 'closed' : 'down';
  }

  /** True once a connection attempt to the node has finished, successful or not. */
  get attempted(): boolean {
    return this.#shared().some((link) => link.attempted);
  }

  /** Requests routed to this node. */
  get routed(): number {
    let total = this.#retired.routed;
    for (const link of this.#all()) total += link.routed;
    return total;
  }

  get failures(): number {
    let total = this.#retired.failures;
    for (const link of this.#all()) total += link.failures;
    return total;
  }

  checkProgress(now: number): void {
    for (const link of this.#all()) link.checkProgress(now);
  }

  close(graceMs: number): Promise<void> {
    this.#closed = true;
    return Promise.all(this.#all().map((link) => link.close(graceMs))).then(() => undefined);
  }

  /** A pool that left the ring opens nothing more: its RESP2 links answer with their error. */
  #openResp3Links(): readonly NodeLink[] {
    if (this.#closed || this.#openResp3 === undefined) return this.links;
    this.#resp3Links = this.#openResp3();
    return this.#resp3Links;
  }

  /** Closes an own connection (what is in flight still gets its reply) and keeps its counts. */
  #retire(link: NodeLink): void {
    void link.close(OWN_CLOSE_GRACE_MS);
    this.#retired.routed += link.routed;
    this.#retired.failures += link.failures;
  }

  /** The connections every client shares: what the pool's state and readiness are about. */
  #shared(): readonly NodeLink[] {
    return this.#resp3Links === undefined ? this.links : [...this.links, ...this.#resp3Links];
  }

  /** The shared connections and the clients' own: what is counted, watched and closed. */
  #all(): readonly NodeLink[] {
    const shared = this.#shared();
    if (this.#lent.size === 0 && this.#idle[0].length + this.#idle[1].length === 0) return shared;
    return [...shared, ...this.#lent, ...this.#idle[0], ...this.#idle[1]];
  }
}
