import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { decimalLength } from '../../protocol/resp/integer.ts';
import { RESP_TYPES } from '../../protocol/resp/types.ts';

/** A request's bytes as a range, ready to forward. */
export interface RawRequest {
  buf: Buffer;
  start: number;
  end: number;
}

/**
 * Where the request whose arguments are `args` lies in `chunk`, so that it can be forwarded as
 * the client sent it, without copying. The decoder accepts only canonical headers (`*n\r` and
 * `$n\r`, no sign or leading zero, two bytes of line end), so the start is found by counting
 * back from the first argument. A request the decoder assembled elsewhere (one cut by a chunk
 * boundary, in its reusable carry buffer, or an inline command) is encoded afresh instead.
 */
export function locateRequest(
  args: CommandArgs,
  chunk: Buffer | undefined,
  into: RawRequest,
): void {
  const count = args.count;
  if (args.buffer === chunk && chunk !== undefined && count > 0) {
    const first = args.starts[0] as number;
    const bulkHeader = first - (decimalLength(args.length(0)) + 3);
    const start = bulkHeader - (decimalLength(count) + 3);
    if (
      start >= 0 &&
      chunk[start] === RESP_TYPES.ARRAY &&
      chunk[bulkHeader] === RESP_TYPES.BULK_STRING
    ) {
      into.buf = chunk;
      into.start = start;
      into.end = (args.ends[count - 1] as number) + 2;
      return;
    }
  }
  const bytes = encodeArgs(args, 0, undefined);
  into.buf = bytes;
  into.start = 0;
  into.end = bytes.length;
}

/**
 * Encodes `args` as a RESP array of bulk strings, argument `replaceAt` replaced by `replacement`
 * (SCAN's node cursor), in one allocation.
 */
export function encodeArgs(
  args: CommandArgs,
  replaceAt: number,
  replacement: Buffer | undefined,
): Buffer {
  const count = args.count;
  let size = decimalLength(count) + 3;
  for (let i = 0; i < count; i++) {
    const length =
      i === replaceAt && replacement !== undefined ? replacement.length : args.length(i);
    size += decimalLength(length) + 5 + length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.write(`*${count}\r\n`, 0, 'latin1');
  for (let i = 0; i < count; i++) {
    const value = i === replaceAt && replacement !== undefined ? replacement : args.view(i);
    at += out.write(`$${value.length}\r\n`, at, 'latin1');
    at += value.copy(out, at);
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return out;
}

/** Encodes a command given as its parts (fan-out sub-requests): `NAME part part ...`. */
export function encodeParts(name: string, parts: readonly Buffer[]): Buffer {
  let size = decimalLength(parts.length + 1) + 3 + decimalLength(name.length) + 5 + name.length;
  for (const part of parts) size += decimalLength(part.length) + 5 + part.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(`*${parts.length + 1}\r\n$${name.length}\r\n${name}\r\n`, 0, 'latin1');
  for (const part of parts) {
    at += out.write(`$${part.length}\r\n`, at, 'latin1');
    at += part.copy(out, at);
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return out;
}
