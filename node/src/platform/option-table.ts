/**
 * Reading a command's options from its option table, as `mlcache gateway` and `mlcache scorer`
 * take them: `MLCACHE_<COMMAND>_<FLAG>` environment variables, overridden by `--flag value` or
 * `--flag=value`; `--help` or `-h` anywhere asks for the help text. Pure: the composition root
 * passes argv and the environment in.
 */

/** The environment variable of `--flag` of `mlcache <command>`: `MLCACHE_<COMMAND>_<FLAG>`. */
function optionEnv(command: string, flag: string): string {
  return `MLCACHE_${command.toUpperCase()}_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** What reading an option needs from its row of the table. */
export interface TableOption<K extends string> {
  readonly key: K;
  readonly flag: string;
  readonly env: string;
  /** The text parsed when neither a flag nor the environment gives one. */
  readonly defaultText: string;
  readonly parse: (
    text: string,
  ) =>
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly problem: string };
  /** The flag may be given several times; the values are joined with commas. */
  readonly repeatable?: boolean;
}

/** A whole row of a command's option table: what reading it needs, and its --help entry. */
export interface OptionRow<K extends string, V> extends TableOption<K> {
  /** How --help names the value (`PORT`). */
  readonly valueName: string;
  readonly doc: string;
  readonly parse: (
    text: string,
  ) => { readonly ok: true; readonly value: V } | { readonly ok: false; readonly problem: string };
}

/** A row builder of `mlcache <command>`'s table of `Values`: fills in the environment variable. */
export function optionRows<Values>(
  command: string,
): <K extends keyof Values & string>(
  key: K,
  flag: string,
  row: Omit<OptionRow<K, Values[K]>, 'key' | 'flag' | 'env'>,
) => OptionRow<K, Values[K]> {
  return (key, flag, row) => ({ key, flag, env: optionEnv(command, flag), ...row });
}

export type OptionTableResult<K extends string> =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'values';
      /** The parsed value of every option that parsed. */
      readonly values: Partial<Record<K, unknown>>;
      /** Every problem, phrased for the list of configuration problems. */
      readonly problems: string[];
    };

/** Reads and parses every option of `options`; collects every problem instead of stopping. */
export function readOptionTable<K extends string>(
  options: readonly TableOption<K>[],
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): OptionTableResult<K> {
  const problems: string[] = [];
  // Each option's text, and where it came from (appended to its problem).
  const raw = new Map<K, { text: string; origin: string }>();
  for (const option of options) {
    const text = env[option.env];
    if (text !== undefined) raw.set(option.key, { text, origin: ` (from ${option.env})` });
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) {
      problems.push(`'${arg}': unexpected argument (options start with --)`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = options.find((candidate) => candidate.flag === name);
    let text: string | undefined;
    if (eq !== -1) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) text = argv[++i];
    if (option === undefined) problems.push(`--${name}: unknown option (see --help)`);
    else if (text === undefined) problems.push(`--${name}: needs a value`);
    else {
      const earlier = raw.get(option.key);
      const join = option.repeatable === true && earlier !== undefined && earlier.origin === '';
      raw.set(option.key, { text: join ? `${earlier.text},${text}` : text, origin: '' });
    }
  }
  const values: Partial<Record<K, unknown>> = {};
  for (const option of options) {
    const given = raw.get(option.key) ?? { text: option.defaultText, origin: ' (default)' };
    const parsed = option.parse(given.text);
    if (parsed.ok) values[option.key] = parsed.value;
    else problems.push(`--${option.flag}: ${parsed.problem}${given.origin}`);
  }
  return { kind: 'values', values, problems };
}
