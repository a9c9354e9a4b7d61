import type { Clock } from './clock.ts';

/**
 * A tiny structured logger: one JSON object per line, `{"time":...,"level":...,"msg":...,...}`.
 * It is created in the composition root and passed to whoever logs, never imported as a singleton,
 * so that tests can capture lines and the node can send them wherever it wants (stderr by default,
 * which keeps stdout free for the machine-read `listening` line).
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra fields of a log line. Errors are expanded to `{ message, code, stack }`. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (for example `{ component: 'grpc' }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  readonly clock: Clock;
  /** Receives each line, newline included. */
  readonly write: (line: string) => void;
}

const RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions): Logger {
  return build(options, RANK[options.level ?? 'info'], {});
}

function build(options: LoggerOptions, min: number, base: LogFields): Logger {
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    // The level check comes first so that disabled debug lines cost one comparison.
    if (RANK[level] < min) return;
    const line = {
      time: new Date(options.clock.now()).toISOString(),
      level,
      msg,
      ...base,
      ...fields,
    };
    options.write(`${JSON.stringify(line, replaceErrors)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => build(options, min, { ...base, ...fields }),
  };
}

// Error's own properties are not enumerable, so JSON.stringify would print `{}` for them.
function replaceErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
}
