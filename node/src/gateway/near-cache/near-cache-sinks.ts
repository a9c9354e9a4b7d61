import { REPLIES } from '../../protocol/resp/reply-writer.ts';
import { RESP_TYPES } from '../../protocol/resp/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import type { NearCache } from './near-cache.ts';

/** A hot key's GET on its way to the node: keeps the reply in the near cache, then passes it on. */
export class FillSink implements ReplySink {
  readonly #cache: NearCache;
  readonly #clock: Clock;
  readonly #client: ReplySink;
  readonly #key: string;
  readonly #token: number;

  constructor(cache: NearCache, clock: Clock, client: ReplySink, key: string, token: number) {
    this.#cache = cache;
    this.#clock = clock;
    this.#client = client;
    this.#key = key;
    this.#token = token;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    // Only bulk replies (a value or nil) are cached; errors are not. A RESP3 nil is kept as
    // RESP2's, which lookup turns back into RESP3 for RESP3 clients.
    const type = bytes[start];
    if (type === RESP_TYPES.BULK_STRING) {
      const copy = Buffer.from(bytes.subarray(start, end));
      this.#cache.fill(this.#key, this.#token, copy, this.#clock.monotonic());
    } else if (type === RESP_TYPES.NULL) {
      this.#cache.fill(this.#key, this.#token, REPLIES.NULL_BULK, this.#clock.monotonic());
    }
    this.#client.onReply(tag, bytes, start, end);
  }

  onMoved(
    tag: number,
    moved: MovedReply,
    request: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    this.#client.onMoved(tag, moved, request, start, end, attempts);
  }
}

/** A write to keys the near cache tracks: drops them again when the node has answered. */
export class WriteSink implements ReplySink {
  readonly #cache: NearCache;
  readonly #client: ReplySink;
  readonly #keys: readonly string[];

  constructor(cache: NearCache, client: ReplySink, keys: readonly string[]) {
    this.#cache = cache;
    this.#client = client;
    this.#keys = keys;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    for (const key of this.#keys) this.#cache.endWrite(key);
    this.#client.onReply(tag, bytes, start, end);
  }

  onMoved(
    tag: number,
    moved: MovedReply,
    request: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    // The retry runs the command again, which announces the write again.
    for (const key of this.#keys) this.#cache.endWrite(key);
    this.#client.onMoved(tag, moved, request, start, end, attempts);
  }
}
