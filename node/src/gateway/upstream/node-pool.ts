import type { LinkState, NodeLink } from './node-link.ts';

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
  #resp3Links: readonly NodeLink[] | undefined;
  #closed = false;

  /** `openResp3` opens the RESP3 connections; without it RESP3 clients share the RESP2 ones. */
  constructor(
    nodeId: string,
    address: string,
    links: readonly NodeLink[],
    openResp3?: () => readonly NodeLink[],
  ) {
    if (links.length === 0) throw new RangeError('a node pool needs at least one connection');
    this.nodeId = nodeId;
    this.address = address;
    this.links = links;
    this.#openResp3 = openResp3;
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
    for (const link of this.#all()) {
      if (link.state === 'up') return 'up';
      if (link.state === 'connecting') connecting = true;
      if (link.state !== 'closed') closed = false;
    }
    if (connecting) return 'connecting';
    return closed ? 'closed' : 'down';
  }

  /** True once a connection attempt to the node has finished, successful or not. */
  get attempted(): boolean {
    return this.#all().some((link) => link.attempted);
  }

  /** Requests routed to this node. */
  get routed(): number {
    let total = 0;
    for (const link of this.#all()) total += link.routed;
    return total;
  }

  get failures(): number {
    let total = 0;
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

  #all(): readonly NodeLink[] {
    return this.#resp3Links === undefined ? this.links : [...this.links, ...this.#resp3Links];
  }
}
