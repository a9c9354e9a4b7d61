import { OPTIONS } from './schema.ts';

/** The text of `mlcache node --help`, built from the option table so that it cannot drift. */
export function helpText(): string {
  const heads = OPTIONS.map(
    (spec) =>
      [`--${spec.flag}`, ...spec.aliases.map((alias) => `--${alias}`)].join(', ') +
      ` ${spec.valueName}`,
  );
  const width = Math.max(...heads.map((head) => head.length));
  const rows = OPTIONS.map((spec, index) => {
    const shown = spec.defaultText === '' ? '' : `, default ${spec.defaultText}`;
    return `  ${(heads[index] ?? '').padEnd(width)}  (${spec.env}${shown})\n${wrap(spec.doc, '      ')}`;
  });
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

/** Wraps text at word boundaries to fit an 80-column terminal, each line indented. */
function wrap(text: string, indent: string, columns = 80): string {
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
