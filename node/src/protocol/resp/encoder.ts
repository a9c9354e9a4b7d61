/**
 * Client-side encoding of a command as a RESP array of bulk strings: what redis-cli and client
 * libraries send. The server never sends this; tests, fuzzers and benchmark loaders do.
 */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : Buffer.from(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Encodes many commands back to back, as a pipelining client writes them. */
export function encodePipeline(commands: readonly (readonly (string | Uint8Array)[])[]): Buffer {
  return Buffer.concat(commands.map((args) => encodeCommand(args)));
}

const CRLF = Buffer.from('\r\n');
