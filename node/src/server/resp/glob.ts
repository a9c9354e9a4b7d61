/**
 * Redis's glob matching (`stringmatchlen`), for SCAN MATCH, CONFIG GET and COMMAND LIST FILTERBY:
 * `*` any run, `?` any one character, `[abc]`, `[^abc]`, `[a-z]` (ends swapped if reversed), and
 * `\x` for a literal x. An unterminated `[` class runs to the end of the pattern, as in Redis.
 *
 * Strings are compared by UTF-16 code unit, which for the store's latin1 keys is byte by byte.
 * Instead of Redis's recursion (exponential on patterns like `a*a*a*a*b`), `*` is matched with
 * the classic single backtrack point, which accepts the same strings in O(n*m) time: a later `*`
 * can absorb whatever an earlier one would have, so only the last one needs to be retried.
 */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const plen = pattern.length;
  const tlen = text.length;
  while (t < tlen) {
    if (p < plen) {
      const c = pattern.charCodeAt(p);
      if (c === STAR) {
        while (p < plen && pattern.charCodeAt(p) === STAR) p++;
        if (p === plen) return true;
        starP = p;
        starT = t;
        continue;
      }
      const step = matchOne(pattern, p, text.charCodeAt(t), ignoreCase);
      if (step > 0) {
        p += step;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    t = ++starT;
  }
  while (p < plen && pattern.charCodeAt(p) === STAR) p++;
  return p === plen;
}

/** A predicate for a pattern, or undefined for `*` (which Redis skips entirely). */
export function globPredicate(
  pattern: string,
  ignoreCase = false,
): ((text: string) => boolean) | undefined {
  if (pattern === '*') return undefined;
  return (text) => globMatch(pattern, text, ignoreCase);
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/**
 * Matches the pattern element at `p` (not a star) against one character. Returns how many
 * pattern characters the element used, or 0 when it does not match.
 */
function matchOne(pattern: string, p: number, ch: number, ignoreCase: boolean): number {
  const plen = pattern.length;
  const c = pattern.charCodeAt(p);
  if (c === QUESTION) return 1;
  if (c === BACKSLASH && p + 1 < plen) {
    return same(pattern.charCodeAt(p + 1), ch, ignoreCase) ? 2 : 0;
  }
  if (c !== OPEN) return same(c, ch, ignoreCase) ? 1 : 0;

  let at = p + 1;
  const negate = at < plen && pattern.charCodeAt(at) === CARET;
  if (negate) at++;
  let matched = false;
  for (;;) {
    if (at >= plen) break; // unterminated: the class ends with the pattern
    const k = pattern.charCodeAt(at);
    if (k === BACKSLASH && at + 1 < plen) {
      // Redis compares an escaped class member exactly, even when ignoring case.
      if (pattern.charCodeAt(at + 1) === ch) matched = true;
      at += 2;
    } else if (k === CLOSE) {
      at++;
      break;
    } else if (at + 2 < plen && pattern.charCodeAt(at + 1) === DASH) {
      let low = k;
      let high = pattern.charCodeAt(at + 2);
      if (low > high) [low, high] = [high, low];
      let probe = ch;
      if (ignoreCase) {
        low = lower(low);
        high = lower(high);
        probe = lower(ch);
      }
      if (probe >= low && probe <= high) matched = true;
      at += 3;
    } else {
      if (same(k, ch, ignoreCase)) matched = true;
      at++;
    }
  }
  if (negate) matched = !matched;
  return matched ? at - p : 0;
}

function same(a: number, b: number, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && lower(a) === lower(b));
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}
