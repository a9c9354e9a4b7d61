import { parseBytes } from '../util/bytes.ts';

/**
 * Value parsers for the option table. Each turns the text of a flag, an environment variable or a
 * config-file line into a typed value, or into a problem phrased to follow `--name: ` in the list
 * of configuration problems ("'abc' is not a size ...").
 */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A value parser. */
export type Parser<T> = (text: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (problem: string): Parsed<never> => ({ ok: false, problem });

/** A TCP port; 0 asks the OS for a free one. */
export const port: Parser<number> = (text) => {
  const value = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  return value >= 0 && value <= 65535
    ? ok(value)
    : fail(`'${text}' is not a port (0-65535; 0 picks a free port)`);
};

/** A byte size with an optional unit (`100mb`, `1gib`, `4096`), at least `min`. */
export function bytes(min: number): Parser<number> {
  return (text) => {
    const value = parseBytes(text);
    if (value === undefined) return fail(`'${text}' is not a size (like 4096, 64kb, 100mb, 1gib)`);
    return value >= min ? ok(value) : fail(`'${text}' is below the minimum of ${min} bytes`);
  };
}

/** One of a fixed list of words (case-sensitive, as on the command line). */
export function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (text) =>
    (choices as readonly string[]).includes(text)
      ? ok(text as T)
      : fail(`'${text}' is not one of ${choices.join(', ')}`);
}

/** Any text, the empty string included (it means "not set" for optional paths and passwords). */
export const text: Parser<string> = (value) => ok(value);

/** A word without white space: host names and addresses. */
export const word: Parser<string> = (value) =>
  /^\S+$/.test(value) ? ok(value) : fail(`'${value}' must be non-empty and contain no spaces`);

/** A word without white space, or the empty string for "use the default". */
export const optionalWord: Parser<string> = (value) => (value === '' ? ok(value) : word(value));
