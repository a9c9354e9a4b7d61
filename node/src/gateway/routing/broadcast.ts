import { REPLIES } from '../../protocol/resp/reply-writer.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import {
  arrayElements,
  arrayReply,
  integerBytes,
  integerReply,
  isError,
  isOk,
  OK_REPLY,
} from './merge-replies.ts';

/** Turns every node's reply (in pool order) into the client's reply. */
export type Combine = (replies: readonly Buffer[], pools: readonly NodePool[]) => Buffer;

/**
 * Sends one request to every node of the ring and answers once all have replied (an unreachable
 * node answers at once with its CLUSTERDOWN error, so this never waits on a dead node for long).
 */
export function broadcast(
  ctx: GatewayContext,
  client: GatewayClient,
  tag: number,
  request: Buffer,
  combine: Combine,
  onDone?: () => void,
): void {
  const pools = ctx.router.pools;
  if (pools.length === 0) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const gather = new Gather(client, tag, pools, combine, onDone);
  // The client's own connections: its earlier writes arrive first, and replies are in its
  // protocol (INFO's verbatim text in RESP3, see bulkText).
  const resp3 = client.resp3;
  pools.forEach((pool, index) => {
    linkFor(client, pool, resp3).send(gather, index, request, 0, request.length, 1);
  });
}

class Gather implements ReplySink {
  readonly #client: ReplySink;
  readonly #tag: number;
  readonly #pools: readonly NodePool[];
  readonly #combine: Combine;
  readonly #onDone: (() => void) | undefined;
  readonly #replies: Buffer[];
  #remaining: number;

  constructor(
    client: ReplySink,
    tag: number,
    pools: readonly NodePool[],
    combine: Combine,
    onDone: (() => void) | undefined,
  ) {
    this.#client = client;
    this.#tag = tag;
    this.#pools = pools;
    this.#combine = combine;
    this.#onDone = onDone;
    this.#replies = new Array<Buffer>(pools.length);
    this.#remaining = pools.length;
  }

  onReply(index: number, bytes: Buffer, start: number, end: number): void {
    this.#replies[index] = bytes.subarray(start, end);
    if (--this.#remaining !== 0) return;
    this.#onDone?.();
    const reply = this.#combine(this.#replies, this.#pools);
    this.#client.onReply(this.#tag, reply, 0, reply.length);
  }

  onMoved(index: number, moved: MovedReply): void {
    const reply = Buffer.from(`-${moved.text}\r\n`, 'latin1');
    this.onReply(index, reply, 0, reply.length);
  }
}

/** DBSIZE: the sum of the nodes' counts; any node's error fails it (a partial count would lie). */
export const sumIntegers: Combine = (replies) => {
  let sum = 0;
  for (const reply of replies) {
    if (isError(reply, 0)) return reply;
    sum += integerReply(reply, 0, reply.length) ?? 0;
  }
  return integerBytes(sum);
};

/** KEYS: every node's keys in one array (each key lives on one node); any node's error fails it. */
export const concatArrays: Combine = (replies) => {
  const parts: Buffer[] = [];
  let count = 0;
  for (const reply of replies) {
    if (isError(reply, 0)) return reply;
    const ranges = arrayElements(reply, 0, reply.length);
    if (ranges === undefined) return UNEXPECTED_REPLY;
    count += ranges.length / 2;
    if (ranges.length > 0) parts.push(reply.subarray(ranges[0], ranges.at(-1)));
  }
  return Buffer.concat([Buffer.from(`*${count}\r\n`, 'latin1'), ...parts]);
};

const UNEXPECTED_REPLY = Buffer.from('-ERR unexpected reply from a node\r\n');

/** FLUSHALL, FLUSHDB: OK when every node said OK, else the first error. */
export const allOk: Combine = (replies) => {
  for (const reply of replies) if (!isOk(reply, 0, reply.length)) return reply;
  return OK_REPLY;
};

/**
 * SCRIPT LOAD: the SHA every node answered (one body has one SHA-1), else the first error. Nodes
 * that disagree would mean a node computes SHAs differently: an error, not one of their answers.
 */
export const sameReply: Combine = (replies) => {
  for (const reply of replies) if (isError(reply, 0)) return reply;
  const first = replies[0];
  if (first === undefined) return UNEXPECTED_REPLY;
  for (const reply of replies) if (!reply.equals(first)) return UNEXPECTED_REPLY;
  return first;
};

/**
 * SCRIPT EXISTS: per SHA, 1 only when every node has the script (an EVALSHA may reach any of
 * them), else 0; any node's error fails it.
 */
export const andIntegerArrays: Combine = (replies) => {
  let all: number[] | undefined;
  for (const reply of replies) {
    if (isError(reply, 0)) return reply;
    const ranges = arrayElements(reply, 0, reply.length);
    if (ranges === undefined || (all !== undefined && ranges.length / 2 !== all.length)) {
      return UNEXPECTED_REPLY;
    }
    const values: number[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const value = integerReply(reply, ranges[i] as number, ranges[i + 1] as number);
      if (value === undefined) return UNEXPECTED_REPLY;
      values.push(all === undefined ? value : Math.min(all[values.length] as number, value));
    }
    all = values;
  }
  if (all === undefined) return UNEXPECTED_REPLY;
  return arrayReply(all.map((value) => integerBytes(value === 0 ? 0 : 1)));
};

/**
 * RANDOMKEY: the key of a node picked at random among those that have one (`pick(n)` draws in
 * [0, n)); a null when none has; any node's error fails it.
 */
export function randomNonNull(pick: (n: number) => number): Combine {
  return (replies) => {
    const found: Buffer[] = [];
    for (const reply of replies) {
      if (isError(reply, 0)) return reply;
      if (!isNull(reply)) found.push(reply);
    }
    return found.length === 0 ? (replies[0] ?? REPLIES.NULL_BULK) : found[pick(found.length)]!;
  };
}

/** A RESP2 null bulk or RESP3 null, as a node sends it to a client of either protocol. */
function isNull(reply: Buffer): boolean {
  return (reply[0] === 0x24 && reply[1] === 0x2d) || reply[0] === 0x5f;
}
