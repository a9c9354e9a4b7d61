/**
 * The syntax of `notify-keyspace-events` (CONFIG SET, `--notify-keyspace-events`), as Redis 7.0
 * reads and prints it. The notifications themselves are server/resp/pubsub/keyspace-events.ts.
 * Letters choose the classes of events (g generic, $ string, x expired, e evicted, n new key,
 * m key miss, and the types mlcache does not hold: l, s, h, z, t, d; A is g$lshzxetd) and where
 * they go (K: the key's channel `__keyspace@0__:<key>`, E: the event's channel
 * `__keyevent@0__:<event>`).
 */
const CLASS_LETTERS = 'g$lshzxetdn';
/** Bits by letter; K, E and m are printed after the classes, in that order. */
const BITS: Readonly<Record<string, number>> = {
  g: 1 << 0,
  $: 1 << 1,
  l: 1 << 2,
  s: 1 << 3,
  h: 1 << 4,
  z: 1 << 5,
  x: 1 << 6,
  e: 1 << 7,
  t: 1 << 8,
  d: 1 << 9,
  n: 1 << 10,
  K: 1 << 11,
  E: 1 << 12,
  m: 1 << 13,
};
/** What A stands for: every class but n and m. */
const ALL = [...'g$lshzxetd'].reduce((bits, letter) => bits | BITS[letter]!, 0);

export const KEYSPACE = BITS.K!;
export const KEYEVENT = BITS.E!;
export const EXPIRED = BITS.x!;
export const EVICTED = BITS.e!;
export const GENERIC = BITS.g!;
export const STRING = BITS.$!;
export const NEW_KEY = BITS.n!;
export const KEY_MISS = BITS.m!;

/** The flags a setting stands for, or undefined for a letter Redis refuses. */
export function parseKeyspaceEvents(text: string): number | undefined {
  let flags = 0;
  for (const letter of text) {
    if (letter === 'A') flags |= ALL;
    else if (Object.hasOwn(BITS, letter)) flags |= BITS[letter]!;
    else return undefined;
  }
  return flags;
}

/** Redis's canonical spelling of the flags (CONFIG GET): A or the classes, then K, E, m. */
export function formatKeyspaceEvents(flags: number): string {
  let text = '';
  if ((flags & ALL) === ALL) text = 'A';
  else for (const letter of CLASS_LETTERS) if (flags & BITS[letter]!) text += letter;
  for (const letter of 'KEm') if (flags & BITS[letter]!) text += letter;
  return text;
}

/** The error CONFIG SET gives for a bad setting. */
export const INVALID_KEYSPACE_EVENTS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
