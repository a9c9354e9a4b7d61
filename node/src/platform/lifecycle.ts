/**
 * What the composition roots (`mlcache node`, `mlcache gateway`, `mlcache scorer`) share about a
 * process's life: --help and configuration problems on the way in, a JSON logger on stderr,
 * SIGTERM/SIGINT to stop (a second one exits at once), and start-up failures in one line.
 */
import type { Clock } from '../util/clock.ts';
import { createLogger } from '../util/logger.ts';
import type { Logger, LogLevel } from '../util/logger.ts';

/** What every configuration loader of ours returns. */
export type LoadOutcome<C> =
  | { readonly kind: 'config'; readonly config: C }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] };

/** `mlcache <command>: invalid configuration:` and one indented line per problem. */
export function formatConfigProblems(command: string, problems: readonly string[]): string {
  return [`mlcache ${command}: invalid configuration:`, ...problems.map((p) => `  ${p}`)].join(
    '\n',
  );
}

/**
 * The configuration to run with; or, after printing the help (stdout, exit 0) or the problems
 * (stderr, exit 2), the exit code.
 */
export function configOrExitCode<C>(
  command: string,
  loaded: LoadOutcome<C>,
  helpText: () => string,
): { readonly config: C } | { readonly exitCode: number } {
  if (loaded.kind === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return { exitCode: 0 };
  }
  if (loaded.kind === 'invalid') {
    process.stderr.write(`${formatConfigProblems(command, loaded.problems)}\n`);
    return { exitCode: 2 };
  }
  return { config: loaded.config };
}

/** The process's logger: JSON lines on stderr (stdout carries only the `listening` line). */
export function createStderrLogger(level: LogLevel, clock: Clock): Logger {
  return createLogger({ level, clock, write: (line) => process.stderr.write(line) });
}

/**
 * Prints the `listening` line, the one line on stdout that tests and tools parse to learn the
 * ports: `{"event":"listening",...fields,"pid":...}`, keys in this order.
 */
export function printListening(fields: Readonly<Record<string, string | number>>): void {
  process.stdout.write(`${JSON.stringify({ event: 'listening', ...fields, pid: process.pid })}\n`);
}

/** SIGTERM and SIGINT, turned into an AbortSignal. */
export interface StopSignals {
  /** Aborted by the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** Resolves once the first signal came (at once if it already has). */
  stopped(): Promise<void>;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Handles SIGTERM and SIGINT: the first one is logged and aborts `signal`; a second one exits at
 * once with status 1. `onHangup`, if given, handles SIGHUP.
 */
export function handleStopSignals(logger: Logger, onHangup?: () => void): StopSignals {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(1);
    }
    logger.info('shutting down', { signal });
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (onHangup !== undefined) process.on('SIGHUP', onHangup);
  return {
    signal: stop.signal,
    stopped: () =>
      stop.signal.aborted
        ? Promise.resolve()
        : new Promise((resolve) =>
            stop.signal.addEventListener('abort', () => resolve(), { once: true }),
          ),
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (onHangup !== undefined) process.off('SIGHUP', onHangup);
    },
  };
}

/**
 * An error in one line for `mlcache <command>: cannot start: ...`: the message, its Node `code`
 * unless the message names it, and with `withCause` the cause's message.
 */
export function describeError(error: unknown, options: { withCause?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message =
    typeof code === 'string' && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  const cause =
    options.withCause === true && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return message + cause;
}
