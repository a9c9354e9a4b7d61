/**
 * Redis 7's script shebang (`#!lua flags=no-writes,allow-oom`), read as evalExtractShebangFlags
 * reads it. The line is blanked, not removed, so that the body keeps its line numbers.
 */
export type Shebang =
  { readonly body: Uint8Array; readonly noWrites: boolean } | { readonly error: string };

/** The flags Redis accepts; only `no-writes` changes what a script may do here. */
const FLAGS: ReadonlySet<string> = new Set([
  'no-writes',
  'allow-oom',
  'allow-stale',
  'no-cluster',
  'allow-cross-slot-keys',
]);

export function parseShebang(body: Buffer): Shebang {
  if (body[0] !== 0x23 || body[1] !== 0x21) return { body, noWrites: false };
  const end = body.indexOf(0x0a);
  if (end < 0) return { error: 'ERR Invalid script shebang' };
  const parts = body
    .toString('latin1', 0, end)
    .split(/[ \t\r]+/)
    .filter((part) => part !== '');
  if (parts[0] !== '#!lua')
    return { error: `ERR Unexpected engine in script shebang: ${parts[0]}` };
  let noWrites = false;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: `ERR Unknown lua shebang option: ${part}` };
    const flags = part.slice('flags='.length);
    if (flags === '') continue;
    for (const flag of flags.split(',')) {
      if (!FLAGS.has(flag)) return { error: `ERR Unexpected flag in script shebang: ${flag}` };
      if (flag === 'no-writes') noWrites = true;
    }
  }
  return { body: body.subarray(end), noWrites };
}
