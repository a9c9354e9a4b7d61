/**
 * The argument parser of `mlcache cluster` (pure): `ACTION [POSITIONAL...] [--flag VALUE |
 * --flag=VALUE | --switch]`. Each action declares the flags it takes; every problem is listed.
 */

export interface FlagSpec {
  readonly name: string;
  /** Switches take no value. */
  readonly switch?: boolean;
  readonly valueName?: string;
  readonly doc: string;
  readonly defaultText?: string;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly help: boolean;
  readonly problems: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) {
      problems.push(`--${name}: unknown option (see --help)`);
      continue;
    }
    if (spec.switch === true) {
      if (eq !== -1) problems.push(`--${name}: takes no value`);
      switches.add(name);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[i + 1];
    if (value === undefined || (eq === -1 && value.startsWith('--'))) {
      problems.push(`--${name}: needs a value`);
      continue;
    }
    if (eq === -1) i++;
    values.set(name, value);
  }
  return { positionals, values, switches, help, problems };
}

/** Reads typed values out of ParsedArgs, collecting problems. */
export class ArgReader {
  readonly problems: string[];
  readonly #args: ParsedArgs;

  constructor(args: ParsedArgs) {
    this.#args = args;
    this.problems = [...args.problems];
  }

  string(name: string, fallback: string): string {
    return this.#args.values.get(name) ?? fallback;
  }

  optionalString(name: string): string | null {
    return this.#args.values.get(name) ?? null;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.#args.values.get(name);
    if (text === undefined) return fallback;
    return this.#integer(`--${name}`, text, min, max) ?? fallback;
  }

  optionalInteger(name: string, min: number, max: number): number | null {
    const text = this.#args.values.get(name);
    return text === undefined ? null : (this.#integer(`--${name}`, text, min, max) ?? null);
  }

  number(name: string, fallback: number, min: number): number {
    const text = this.#args.values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) {
      this.problems.push(`--${name}: expected a number >= ${min}, got '${text}'`);
      return fallback;
    }
    return value;
  }

  /** A duration: `90` or `90s` (seconds), `500ms`, `2m`. In ms. */
  duration(name: string, fallbackMs: number): number {
    const text = this.#args.values.get(name);
    if (text === undefined) return fallbackMs;
    const ms = parseDuration(text);
    if (ms === undefined) {
      this.problems.push(`--${name}: expected a duration such as 90s, 500ms or 2m, got '${text}'`);
      return fallbackMs;
    }
    return ms;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const text = this.#args.values.get(name);
    if (text === undefined) return fallback;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.problems.push(`--${name}: expected one of ${allowed.join(', ')}, got '${text}'`);
    return fallback;
  }

  has(name: string): boolean {
    return this.#args.switches.has(name);
  }

  /** The positional arguments, checking their count. */
  positionals(names: readonly string[]): string[] {
    const given = this.#args.positionals;
    if (given.length !== names.length) {
      this.problems.push(
        names.length === 0
          ? `unexpected argument '${given[0]}'`
          : `expected ${names.join(' ')}, got ${given.length === 0 ? 'nothing' : `'${given.join(' ')}'`}`,
      );
    }
    return names.map((_, i) => given[i] ?? '');
  }

  positionalInteger(label: string, text: string, min: number, max: number): number {
    return this.#integer(label, text, min, max) ?? -1;
  }

  #integer(label: string, text: string, min: number, max: number): number | undefined {
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${label}: expected an integer in [${min}, ${max}], got '${text}'`);
      return undefined;
    }
    return value;
  }
}

export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

/** The help of one action: usage line, summary, and its flags. */
export function actionHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const left = specs.map(
    (s) => `--${s.name}${s.switch === true ? '' : ` ${s.valueName ?? 'VALUE'}`}`,
  );
  const width = Math.max(...left.map((l) => l.length));
  const lines = specs.map((s, i) => {
    const fallback = s.defaultText !== undefined ? ` (default ${s.defaultText})` : '';
    return `  ${left[i]!.padEnd(width)}  ${s.doc}${fallback}`;
  });
  return [`Usage: mlcache cluster ${usage}`, '', summary, '', 'Options:', ...lines].join('\n');
}
