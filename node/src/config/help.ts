import { OPTIONS } from './schema.ts';

/** The text of `mlcache node --help`, built from the option table so that it cannot drift. */
export function helpText(): string {
  const rows = formatOptionRows(
    OPTIONS.map((spec) => ({ ...spec, flags: [spec.flag, ...spec.aliases] })),
  );
  return [
    'Usage: mlcache node [options]',
    '',
    'Runs a cache node: RESP (Redis protocol), gRPC and HTTP admin listeners.',
    '',
    'Options (environment variable, default):',
    ...rows,
    '',
    'Precedence: flags, then environment variables, then the config file, then defaults.',
    'Config file: one "key value" per line, the key being a flag name without dashes',
    '(maxmemory 1gib); # starts a comment; "double quotes" keep spaces in a value.',
    '',
    'On start the node prints one JSON line on stdout with the actual ports:',
    '  {"event":"listening","node":"...","bind":"...","resp":6379,"grpc":7379,"admin":9379,"pid":...}',
    'Logs go to stderr, one JSON object per line.',
  ].join('\n');
}

/** One option as a help table shows it. */
export interface HelpRow {
  /** The flag and its aliases, without dashes. */
  readonly flags: readonly string[];
  readonly valueName: string;
  readonly env: string;
  /** '' when there is no default to show. */
  readonly defaultText: string;
  readonly doc: string;
}

/**
 * The option rows of a --help text (the node's, the gateway's, the scorer's): the flags and value
 * name in an aligned column, the environment variable and default, then the documentation
 * indented below, wrapped at `columns`.
 */
export function formatOptionRows(options: readonly HelpRow[], columns = 80): string[] {
  const heads = options.map(
    (option) => `${option.flags.map((flag) => `--${flag}`).join(', ')} ${option.valueName}`,
  );
  const width = Math.max(...heads.map((head) => head.length));
  return options.map((option, index) => {
    const shown = option.defaultText === '' ? '' : `, default ${option.defaultText}`;
    const head = (heads[index] ?? '').padEnd(width);
    return `  ${head}  (${option.env}${shown})\n${wrap(option.doc, '      ', columns)}`;
  });
}

/** Wraps text at word boundaries to fit `columns`, each line indented. */
function wrap(text: string, indent: string, columns: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > columns) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, indent + line].join('\n');
}
