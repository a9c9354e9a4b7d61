import type { LinkState, NodeLink } from './node-link.ts';

/**
 * The connections to one node. A client always uses the same one (its id picks it), so the
 * commands of one client reach the node in the order they were sent, which keeps each client's
 * read-your-writes; different clients spread over the pool.
 */
export class NodePool {
  readonly nodeId: string;
  readonly address: string;
  readonly links: readonly NodeLink[];

  constructor(nodeId: string, address: string, links: readonly NodeLink[]) {
    if (links.length === 0) throw new RangeError('a node pool needs at least one connection');
    this.nodeId = nodeId;
    this.address = address;
    this.links = links;
  }

  /** The connection for a client: its own, or another one that works while its own is down. */
  pick(clientId: number): NodeLink {
    const links = this.links;
    const own = links[clientId % links.length] as NodeLink;
    if (own.state === 'up' || links.length === 1) return own;
    for (const link of links) if (link.state === 'up') return link;
    return own;
  }

  /** `up` when any connection is up; else `connecting` while one still tries first; else the rest. */
  get state(): LinkState {
    let connecting = false;
    let closed = true;
    for (const link of this.links) {
      if (link.state === 'up') return 'up';
      if (link.state === 'connecting') connecting = true;
      if (link.state !== 'closed') closed = false;
    }
    if (connecting) return 'connecting';
    return closed ? 'closed' : 'down';
  }

  /** True once a connection attempt to the node has finished, successful or not. */
  get attempted(): boolean {
    return this.links.some((link) => link.attempted);
  }

  /** Requests routed to this node. */
  get routed(): number {
    let total = 0;
    for (const link of this.links) total += link.routed;
    return total;
  }

  get failures(): number {
    let total = 0;
    for (const link of this.links) total += link.failures;
    return total;
  }

  checkProgress(now: number): void {
    for (const link of this.links) link.checkProgress(now);
  }

  close(graceMs: number): Promise<void> {
    return Promise.all(this.links.map((link) => link.close(graceMs))).then(() => undefined);
  }
}
