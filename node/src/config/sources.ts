import { findOption, OPTIONS } from './schema.ts';
import type { OptionKey } from './schema.ts';

/**
 * The three places an option can come from, each read into the same shape: option key to raw text
 * and where the text came from (for error messages). Pure; `load.ts` does the I/O and merges.
 */
export interface RawValue {
  readonly text: string;
  /** Appended to problems: '' for a flag, ` (from MLCACHE_PORT)`, ` (from node.conf:3)`. */
  readonly origin: string;
}

export interface Source {
  readonly values: Map<OptionKey, RawValue>;
  readonly problems: string[];
}

/** The result of reading argv: also whether help was asked for. */
export interface ArgvSource extends Source {
  readonly help: boolean;
}

/** Reads `--flag value`, `--flag=value` and `--help`/`-h`. A later flag overrides an earlier one. */
export function readArgv(argv: readonly string[]): ArgvSource {
  const values = new Map<OptionKey, RawValue>();
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      problems.push(`'${arg}': unexpected argument (options start with --)`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = findOption(name);
    if (spec === undefined) {
      problems.push(`--${name}: unknown option (see --help)`);
      // Every option takes a value, so skip the unknown one's too rather than report it again.
      if (eq === -1 && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) i++;
      continue;
    }
    let text: string | undefined;
    if (eq !== -1) {
      text = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) {
      // A value starting with -- must use the --flag=value form, so that a forgotten value is
      // reported instead of swallowing the next flag.
      text = argv[++i];
    }
    if (text === undefined) problems.push(`--${name}: needs a value`);
    else values.set(spec.key, { text, origin: '' });
  }
  return { values, problems, help };
}

/** Reads the `MLCACHE_*` variables of the option table; other variables are ignored. */
export function readEnv(env: Readonly<Record<string, string | undefined>>): Source {
  const values = new Map<OptionKey, RawValue>();
  for (const spec of OPTIONS) {
    const text = env[spec.env];
    if (text !== undefined) values.set(spec.key, { text, origin: ` (from ${spec.env})` });
  }
  return { values, problems: [] };
}

/**
 * Reads a config file in the style of redis.conf: one `key value` per line, the key being a flag
 * name without dashes (case-insensitive), the value the rest of the line with surrounding white
 * space removed. A value in double quotes keeps its spaces (`requirepass "two words"`, `""` is
 * empty). Blank lines and lines starting with # are skipped; a later line overrides an earlier one.
 */
export function readConfigFile(content: string, path: string): Source {
  const values = new Map<OptionKey, RawValue>();
  const problems: string[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const origin = ` (from ${path}:${index + 1})`;
    const match = /^(\S+)(?:\s+(.*))?$/.exec(line);
    const key = (match?.[1] ?? '').toLowerCase();
    const spec = OPTIONS.find((candidate) => candidate.flag === key);
    if (spec === undefined || !spec.inFile) {
      problems.push(`${key}: unknown config file key${origin}`);
      return;
    }
    const value = unquote(match?.[2] ?? '');
    if (value === undefined) problems.push(`--${spec.flag}: unbalanced quotes${origin}`);
    else values.set(spec.key, { text: value, origin });
  });
  return { values, problems };
}

function unquote(value: string): string | undefined {
  if (!value.startsWith('"')) return value;
  return value.length >= 2 && value.endsWith('"') ? value.slice(1, -1) : undefined;
}
