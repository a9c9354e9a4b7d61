import type { LinkState, NodeLink } from '../upstream/node-link.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import { PoolLatency } from './pool-latency.ts';

const MINUS = 0x2d;

/** `--mirror NAME=host:port`: a node that receives a copy of every keyspace request. */
export interface MirrorTarget {
  readonly name: string;
  readonly address: string;
}

/**
 * One mirror: a single pipelined connection to a node (one connection, so the node receives the
 * requests in exactly the order the gateway sent them to the primary), whose replies are counted
 * and timed, then dropped. It is its connection's reply sink, so nothing is allocated per request.
 */
export class MirrorPool implements ReplySink {
  readonly name: string;
  readonly address: string;
  /** Round trip of each request (written → reply read), measured by the link. */
  readonly latency: PoolLatency;
  /** Requests sent (or failed fast while the node was unreachable). */
  sent = 0;
  /** Replies received, errors included. */
  replies = 0;
  /** Error replies: the node's own (`-ERR ...`) and the link's while the node is unreachable. */
  errors = 0;
  /** Requests sent and not yet answered. */
  inflight = 0;
  readonly #link: NodeLink;
  readonly #onAnswer: () => void;

  constructor(
    target: MirrorTarget,
    latency: PoolLatency,
    openLink: (latency: PoolLatency) => NodeLink,
    onAnswer: () => void,
  ) {
    this.name = target.name;
    this.address = target.address;
    this.latency = latency;
    this.#link = openLink(latency);
    this.#onAnswer = onAnswer;
  }

  get state(): LinkState {
    return this.#link.state;
  }

  get attempted(): boolean {
    return this.#link.attempted;
  }

  get failures(): number {
    return this.#link.failures;
  }

  send(buf: Buffer, start: number, end: number): void {
    this.sent++;
    this.inflight++;
    this.#link.send(this, 0, buf, start, end);
  }

  onReply(_tag: number, bytes: Buffer, start: number): void {
    this.inflight--;
    this.replies++;
    if (bytes[start] === MINUS) this.errors++;
    this.#onAnswer();
  }

  /** A mirror is a standalone node: MOVED means it was set up wrong; counted as an error. */
  onMoved(_tag: number, _moved: MovedReply): void {
    this.inflight--;
    this.replies++;
    this.errors++;
    this.#onAnswer();
  }

  checkProgress(now: number): void {
    this.#link.checkProgress(now);
  }

  close(graceMs: number): Promise<void> {
    return this.#link.close(graceMs);
  }
}

/** A paused client, resumed once every mirror has room again. */
export type MirrorWaiter = () => void;

export interface MirrorsOptions {
  /** Name of the primary pool in metrics and /v1/mirror. */
  readonly primaryName: string;
  readonly targets: readonly MirrorTarget[];
  /**
   * Requests one mirror may have unanswered. At this bound the gateway stops reading clients
   * (back-pressure, so every mirror still receives every request); reading resumes when every
   * mirror is at half of it.
   */
  readonly maxInflight: number;
  /** Opens the single connection of a mirror, measuring its round trips into `latency`. */
  readonly openLink: (target: MirrorTarget, latency: PoolLatency) => NodeLink;
}

/**
 * Mirror mode: every request that reaches the keyspace is also sent, in the order it is sent to
 * the primary pool, to one node per mirror, whose replies are discarded but timed. A comparison
 * of eviction policies on one live request stream.
 *
 * Bounded: each mirror has at most `maxInflight` requests out. The requests are copied once (one
 * copy shared by all mirrors), so a mirror never pins a client's whole socket chunk, and memory
 * is at most maxInflight requests per mirror. A mirror that falls behind slows the clients down
 * (the choice that keeps the comparison fair; dropping requests would not); a dead mirror does
 * not: its link answers at once with an error (counted) while it reconnects, and a hung one is
 * reset by the command timeout, failing what it held.
 */
export class Mirrors {
  readonly primaryName: string;
  /** Round trips of the primary pool's requests, measured the same way as the mirrors'. */
  readonly primaryLatency = new PoolLatency();
  readonly pools: readonly MirrorPool[];
  readonly maxInflight: number;
  /** Times clients were paused because a mirror was full. */
  backpressurePauses = 0;
  #waiters: MirrorWaiter[] = [];
  readonly #lowWater: number;

  constructor(options: MirrorsOptions) {
    if (options.targets.length === 0) throw new RangeError('mirror mode needs a mirror');
    this.primaryName = options.primaryName;
    this.maxInflight = options.maxInflight;
    this.#lowWater = options.maxInflight >> 1;
    this.pools = options.targets.map(
      (target) =>
        new MirrorPool(
          target,
          new PoolLatency(),
          (latency) => options.openLink(target, latency),
          this.#onAnswer,
        ),
    );
  }

  /** Sends a copy of the request `buf[start, end)` to every mirror. */
  send(buf: Buffer, start: number, end: number): void {
    const copy = Buffer.from(buf.subarray(start, end));
    for (const pool of this.pools) pool.send(copy, 0, copy.length);
  }

  /** True when a mirror holds its most requests: stop reading clients. */
  get saturated(): boolean {
    for (const pool of this.pools) if (pool.inflight >= this.maxInflight) return true;
    return false;
  }

  /** Calls `resume` once every mirror is down to half its bound (now, if it already is). */
  waitForRoom(resume: MirrorWaiter): void {
    this.backpressurePauses++;
    this.#waiters.push(resume);
    this.#onAnswer();
  }

  readonly #onAnswer = (): void => {
    if (this.#waiters.length === 0) return;
    for (const pool of this.pools) if (pool.inflight > this.#lowWater) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resume of waiters) resume();
  };

  get attempted(): boolean {
    return this.pools.every((pool) => pool.attempted);
  }

  checkProgress(now: number): void {
    for (const pool of this.pools) pool.checkProgress(now);
  }

  async close(graceMs: number): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close(graceMs)));
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resume of waiters) resume();
  }

  /** The body of GET /v1/mirror. */
  report(): MirrorReport {
    const latency = (source: PoolLatency): LatencyReport => ({
      count: source.count,
      p50Ms: round(source.quantileMs(0.5)),
      p99Ms: round(source.quantileMs(0.99)),
    });
    return {
      primary: { name: this.primaryName, ...latency(this.primaryLatency) },
      maxInflight: this.maxInflight,
      backpressurePauses: this.backpressurePauses,
      mirrors: this.pools.map((pool) => ({
        name: pool.name,
        address: pool.address,
        state: pool.state,
        sent: pool.sent,
        replies: pool.replies,
        errors: pool.errors,
        inflight: pool.inflight,
        connectionFailures: pool.failures,
        ...latency(pool.latency),
      })),
    };
  }
}

export interface LatencyReport {
  /** Replies timed. */
  readonly count: number;
  /** null before any reply. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface MirrorReport {
  readonly primary: { readonly name: string } & LatencyReport;
  readonly maxInflight: number;
  readonly backpressurePauses: number;
  readonly mirrors: readonly ({
    readonly name: string;
    readonly address: string;
    readonly state: LinkState;
    readonly sent: number;
    readonly replies: number;
    readonly errors: number;
    readonly inflight: number;
    readonly connectionFailures: number;
  } & LatencyReport)[];
}

function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 1000) / 1000;
}
