/**
 * Where a node's reply goes. The gateway keeps no promise or closure per request: a request is
 * queued with its sink and a numeric tag (a client's reply slot, a fan-out's part), and the node
 * link calls the sink back with the reply's bytes in the order the node answers.
 */
export interface ReplySink {
  /**
   * One reply, as `bytes[start, end)`. The bytes are never modified afterwards (see ReplyFramer),
   * so a sink may keep the range without copying.
   */
  onReply(tag: number, bytes: Buffer, start: number, end: number): void;
  /**
   * The node answered `-MOVED <shard> <host>:<port>`: the request went to a node that no longer
   * owns the key. `request` is what was sent (for a retry); `attempts` how often it was sent.
   */
  onMoved(
    tag: number,
    moved: MovedReply,
    request: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void;
}

/** A parsed `-MOVED <shard> <host>:<port>` reply. */
export interface MovedReply {
  readonly shard: number;
  readonly address: string;
  /** The whole error line, without `-` and CRLF. */
  readonly text: string;
}

const PREFIX = '-MOVED ';

/** True when `bytes[start, end)` is a MOVED error (checked byte by byte, nothing allocated). */
export function isMoved(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < PREFIX.length + 2) return false;
  for (let i = 0; i < PREFIX.length; i++) {
    if (bytes[start + i] !== PREFIX.charCodeAt(i)) return false;
  }
  return true;
}

/** Parses a MOVED error; undefined when it is not well formed. */
export function parseMoved(bytes: Buffer, start: number, end: number): MovedReply | undefined {
  const text = bytes.toString('latin1', start + 1, end - 2);
  const match = /^MOVED (\d+) (\S+:\d+)$/.exec(text);
  if (!match) return undefined;
  return { shard: Number(match[1]), address: match[2] as string, text };
}
