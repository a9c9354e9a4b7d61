import {
  arrayElements,
  arrayReply,
  integerBytes,
  integerReply,
  isError,
  isOk,
  OK_REPLY,
} from './merge-replies.ts';

/**
 * How the parts of a split command combine: `mget` puts each part's values back at their keys'
 * positions; `count` (DEL, UNLINK, EXISTS) adds the parts' integers; `mset` is OK when every
 * part is. The first error of any part is the reply (Redis Cluster clients fail the whole
 * command the same way when one slot's node fails).
 */
export type MergeKind = 'mget' | 'mset' | 'count';

const UNEXPECTED = Buffer.from('-ERR unexpected reply from a node\r\n');

/** Accumulates the replies of a split command's parts; pure (bytes in, bytes out). */
export class MultiKeyMerge {
  readonly #kind: MergeKind;
  readonly #values: Buffer[];
  #sum = 0;
  #error: Buffer | undefined;

  constructor(kind: MergeKind, keyCount: number) {
    this.#kind = kind;
    this.#values = kind === 'mget' ? new Array<Buffer>(keyCount) : [];
  }

  /** Adds the reply `bytes[start, end)` of the part that held the keys at `positions`. */
  add(positions: readonly number[], bytes: Buffer, start: number, end: number): void {
    if (this.#error !== undefined) return;
    if (isError(bytes, start)) {
      this.#error = Buffer.from(bytes.subarray(start, end));
      return;
    }
    if (this.#kind === 'count') {
      const value = integerReply(bytes, start, end);
      if (value === undefined) this.#error = UNEXPECTED;
      else this.#sum += value;
    } else if (this.#kind === 'mset') {
      if (!isOk(bytes, start, end)) this.#error = UNEXPECTED;
    } else {
      const ranges = arrayElements(bytes, start, end);
      if (ranges === undefined || ranges.length !== positions.length * 2) {
        this.#error = UNEXPECTED;
        return;
      }
      positions.forEach((position, j) => {
        this.#values[position] = bytes.subarray(ranges[2 * j], ranges[2 * j + 1]);
      });
    }
  }

  /** Fails the command with an error reply of the gateway's own (`-...\r\n`). */
  fail(reply: Buffer): void {
    this.#error ??= reply;
  }

  /** The merged reply, once every part was added. */
  result(): Buffer {
    if (this.#error !== undefined) return this.#error;
    if (this.#kind === 'count') return integerBytes(this.#sum);
    if (this.#kind === 'mset') return OK_REPLY;
    return arrayReply(this.#values);
  }
}
