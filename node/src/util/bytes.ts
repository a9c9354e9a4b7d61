/** Parsing and printing of byte sizes such as `64MiB`, `1gb` or `4096`. */

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1000 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a size with an optional unit, case-insensitive, with Redis's own conventions so that a
 * redis.conf value means the same here: `k`, `m`, `g` are powers of 1000, while `kb`, `mb`, `gb`
 * (as in redis.conf) and `kib`, `mib`, `gib` are powers of 1024. Returns undefined for anything
 * that is not a non-negative size.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const value = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Formats a byte count the way INFO's `*_human` fields do (`1.50M`). */
export function formatBytesHuman(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return index === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[index]}`;
}
