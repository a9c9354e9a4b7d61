import { crossCheck, resolveConfig } from './node-config.ts';
import type { NodeConfig } from './node-config.ts';
import { OPTIONS } from './schema.ts';
import type { OptionKey, OptionValues } from './schema.ts';
import { readArgv, readConfigFile, readEnv } from './sources.ts';
import type { RawValue, Source } from './sources.ts';

/** What the loader reads from the outside world; `main.ts` passes the real ones, tests fakes. */
export interface LoadInputs {
  /** The arguments after `mlcache node`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The default node name. */
  readonly hostname: string;
  /** Reads a UTF-8 file; throws (with a Node `code` such as ENOENT) when it cannot. */
  readonly readFile: (path: string) => string;
}

export type LoadResult =
  | { readonly kind: 'config'; readonly config: NodeConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] };

/**
 * Builds the node's configuration from flags, environment and config file (in that order of
 * precedence, over the defaults), and reports every problem at once rather than the first.
 */
export function loadConfig(inputs: LoadInputs): LoadResult {
  const argv = readArgv(inputs.argv);
  if (argv.help) return { kind: 'help' };
  const env = readEnv(inputs.env);
  const problems = [...argv.problems];

  const configPath = (argv.values.get('config') ?? env.values.get('config'))?.text ?? '';
  let file: Source = { values: new Map(), problems: [] };
  if (configPath !== '') {
    const content = read(inputs, configPath, '--config', problems);
    if (content !== undefined) file = readConfigFile(content, configPath);
  }
  problems.push(...file.problems);

  const values = parseAll([argv, env, file], problems);
  problems.push(...crossCheck(values));
  let password: string | null = null;
  if (values.requirepassFile !== '' && values.requirepass === '') {
    password = readPassword(inputs, values.requirepassFile, problems);
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'config', config: resolveConfig(values, inputs.hostname, password) };
}

function parseAll(sources: readonly Source[], problems: string[]): OptionValues {
  const values: Partial<Record<OptionKey, unknown>> = {};
  for (const spec of OPTIONS) {
    const raw: RawValue = firstOf(sources, spec.key) ?? {
      text: spec.defaultText,
      origin: ' (default)',
    };
    const parsed = spec.parse(raw.text);
    if (parsed.ok) values[spec.key] = parsed.value;
    else problems.push(`--${spec.flag}: ${parsed.problem}${raw.origin}`);
  }
  // Complete whenever `problems` is empty; with problems the caller never resolves the values.
  return values as OptionValues;
}

function firstOf(sources: readonly Source[], key: OptionKey): RawValue | undefined {
  for (const source of sources) {
    const raw = source.values.get(key);
    if (raw !== undefined) return raw;
  }
  return undefined;
}

function readPassword(inputs: LoadInputs, path: string, problems: string[]): string | null {
  const content = read(inputs, path, '--requirepass-file', problems);
  if (content === undefined) return null;
  // A Secret written with `echo` or an editor ends with a newline that is not part of the password.
  const password = content.replace(/\r?\n$/, '');
  if (password === '') problems.push(`--requirepass-file: '${path}' is empty`);
  return password;
}

function read(
  inputs: LoadInputs,
  path: string,
  flag: string,
  problems: string[],
): string | undefined {
  try {
    return inputs.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    problems.push(`${flag}: cannot read '${path}'${typeof code === 'string' ? ` (${code})` : ''}`);
    return undefined;
  }
}
