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

/** A whole number in [min, max]; `unit` follows "whole number" in the problem (` of ms`). */
export function integer(min: number, max: number, unit = ''): Parser<number> {
  return (value) => {
    const n = /^\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
    return n >= min && n <= max
      ? ok(n)
      : fail(`'${value}' is not a whole number${unit} in [${min}, ${max}]`);
  };
}

/**
 * A percentage in [0, max] with an optional `%` (`1`, `0.5%`), as a share: `1%` is 0.01.
 */
export function percent(max: number): Parser<number> {
  return (text) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
    const n = match === null ? NaN : Number(match[1]);
    return n >= 0 && n <= max
      ? ok(n / 100)
      : fail(`'${text}' is not a percentage in [0, ${max}] (like 1 or 0.5%)`);
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

/** A positive duration in milliseconds (fractions allowed: 0.5). */
export const milliseconds: Parser<number> = (value) => {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  return n > 0 && n <= 60_000
    ? ok(n)
    : fail(`'${value}' is not a duration in milliseconds (a number above 0, at most 60000)`);
};

/** `local`, or `grpc://HOST:PORT` (an IPv6 host in brackets). */
export const scorerAddress: Parser<string> = (value) => {
  if (value === 'local') return ok(value);
  const match = /^grpc:\/\/([^\s/:[\]]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(value);
  const portNumber = Number(match?.[2]);
  return match !== null && portNumber >= 1 && portNumber <= 65535
    ? ok(value)
    : fail(`'${value}' is not local or grpc://HOST:PORT`);
};

/** `default`, `none`, or a path (non-empty). */
export const modelSource: Parser<string> = (value) =>
  value.trim() === '' ? fail('give default, none or a file') : ok(value);
