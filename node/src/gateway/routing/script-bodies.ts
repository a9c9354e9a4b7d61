/**
 * The bodies of the scripts this gateway has seen (EVAL, SCRIPT LOAD), by SHA-1, so that an
 * EVALSHA that reaches a node without the script (a node its keys moved to, a node added to the
 * ring, or one that never saw it: ioredis marks a script loaded per connection, not per node)
 * can be run again as EVAL instead of failing with NOSCRIPT (script-reload-sink.ts). Bounded by
 * count and bytes, the least recently used forgotten first; SCRIPT FLUSH forgets them all.
 */
export class ScriptBodies {
  readonly #bodies = new Map<string, Buffer>();
  readonly #maxScripts: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxScripts = 1000, maxBytes = 16 * 1024 * 1024) {
    this.#maxScripts = maxScripts;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#bodies.size;
  }

  /** Keeps a copy of `body` under its lowercase `sha`. A body above the byte bound is not kept. */
  remember(sha: string, body: Uint8Array): void {
    if (body.length > this.#maxBytes) return;
    const known = this.#bodies.get(sha);
    if (known !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      this.#bodies.delete(sha);
      this.#bodies.set(sha, known);
      return;
    }
    this.#bodies.set(sha, Buffer.from(body));
    this.#bytes += body.length;
    for (const [oldest, old] of this.#bodies) {
      if (this.#bodies.size <= this.#maxScripts && this.#bytes <= this.#maxBytes) break;
      this.#bodies.delete(oldest);
      this.#bytes -= old.length;
    }
  }

  /** The body of the script with this (lowercase) SHA-1, if it was seen and kept. */
  get(sha: string): Buffer | undefined {
    return this.#bodies.get(sha);
  }

  /** SCRIPT FLUSH: the nodes forget every script, and so does the gateway. */
  clear(): void {
    this.#bodies.clear();
    this.#bytes = 0;
  }
}
