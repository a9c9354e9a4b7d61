import { GATEWAY_ERRORS, tooManyRedirects } from '../errors.ts';
import { linkFor } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import { encodeParts } from '../front/request-bytes.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import { groupByOwner } from './key-groups.ts';
import { keyShardAt } from './key-shard.ts';
import { MultiKeyMerge } from './multi-key-merge.ts';
import type { MergeKind } from './multi-key-merge.ts';

/**
 * A multi-key command whose keys live on several nodes (MGET, MSET, DEL, UNLINK, EXISTS): one
 * sub-command per owner, holding that owner's keys in the client's order, and a merge of the
 * answers (MultiKeyMerge). The keys are copied, since the parts may be sent again: a part answered
 * MOVED is split again by the refreshed ring, so each key still reaches its owner.
 *
 * Not atomic across nodes: an MSET whose parts land on three nodes is three MSETs, and one may
 * fail while the others succeed (Redis Cluster refuses such a command instead: CROSSSLOT).
 */
export class FanOut implements ReplySink {
  readonly #ctx: GatewayContext;
  readonly #client: GatewayClient;
  /**
   * The client's protocol when it sent the command: every part goes over connections of that
   * protocol, so MGET's values (nulls included) are already in it and are merged unchanged.
   */
  readonly #resp3: boolean;
  readonly #tag: number;
  readonly #name: string;
  readonly #keys: readonly Buffer[];
  /** MSET's values, by key position. */
  readonly #values: readonly Buffer[] | undefined;
  readonly #merge: MultiKeyMerge;
  readonly #onDone: (() => void) | undefined;
  /** Key positions of each part, by part tag. */
  readonly #parts: number[][] = [];
  #remaining = 0;

  constructor(
    ctx: GatewayContext,
    client: GatewayClient,
    tag: number,
    kind: MergeKind,
    name: string,
    keys: readonly Buffer[],
    values?: readonly Buffer[],
    onDone?: () => void,
  ) {
    this.#ctx = ctx;
    this.#client = client;
    this.#resp3 = client.resp3;
    this.#tag = tag;
    this.#name = name;
    this.#keys = keys;
    this.#values = values;
    this.#merge = new MultiKeyMerge(kind, keys.length);
    this.#onDone = onDone;
  }

  /** Sends the parts for the given owners (pool indices, one per key). */
  start(owners: ArrayLike<number>, attempts: number): void {
    this.#ctx.counters.fanOuts++;
    const groups = groupByOwner(owners);
    this.#remaining = groups.length;
    for (const group of groups) this.#send(group.owner, group.positions, attempts);
  }

  onReply(part: number, bytes: Buffer, start: number, end: number): void {
    this.#merge.add(this.#parts[part] as number[], bytes, start, end);
    this.#partDone();
  }

  onMoved(
    part: number,
    moved: MovedReply,
    _request: Buffer,
    _s: number,
    _e: number,
    attempts: number,
  ): void {
    const ctx = this.#ctx;
    if (attempts > ctx.maxRedirects) {
      ctx.counters.movedGivenUp++;
      this.#fail(tooManyRedirects(moved.text, attempts));
      this.#partDone();
      return;
    }
    ctx.counters.movedRetries++;
    ctx.router.noteMoved(moved);
    void ctx.refreshRing().then(() => this.#resend(this.#parts[part] as number[], attempts + 1));
  }

  /** Splits a part's keys again by the current ring and sends the new parts. */
  #resend(positions: number[], attempts: number): void {
    const router = this.#ctx.router;
    const owners = positions.map((position) => {
      const key = this.#keys[position] as Buffer;
      return router.ownerIndexOf(keyShardAt(key, 0, key.length, router.shardMask));
    });
    if (owners.some((owner) => owner < 0)) {
      this.#fail(GATEWAY_ERRORS.NO_RING);
      this.#partDone();
      return;
    }
    const groups = groupByOwner(owners);
    // The part being replaced still counts, so nothing completes before every new part is sent.
    this.#remaining += groups.length - 1;
    for (const group of groups) {
      this.#send(
        group.owner,
        group.positions.map((i) => positions[i] as number),
        attempts,
      );
    }
  }

  #send(owner: number, positions: number[], attempts: number): void {
    const part = this.#parts.push(positions) - 1;
    const parts: Buffer[] = [];
    for (const position of positions) {
      parts.push(this.#keys[position] as Buffer);
      if (this.#values !== undefined) parts.push(this.#values[position] as Buffer);
    }
    const request = encodeParts(this.#name, parts);
    const pool = this.#ctx.router.pools[owner];
    if (pool === undefined) {
      this.#fail(GATEWAY_ERRORS.NO_RING);
      this.#partDone();
      return;
    }
    linkFor(this.#client, pool, this.#resp3).send(this, part, request, 0, request.length, attempts);
  }

  #fail(text: string): void {
    this.#merge.fail(Buffer.from(`-${text}\r\n`, 'latin1'));
  }

  #partDone(): void {
    if (--this.#remaining !== 0) return;
    this.#onDone?.();
    const reply = this.#merge.result();
    this.#client.onReply(this.#tag, reply, 0, reply.length);
  }
}
