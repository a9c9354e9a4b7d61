/**
 * The composition root of `mlcache demo` (what `npm start` runs): reads the flags, builds the
 * clock, turns Ctrl-C / SIGTERM into a stop, and makes sure no process it started outlives it,
 * even when the demo itself fails (the `exit` handler kills what is still running).
 */
import { createSystemClock } from '../../util/clock.ts';
import type { DemoProcess } from './demo-process.ts';
import { demoHelp, parseDemoArgs } from './demo-options.ts';
import { runDemo } from './run-demo.ts';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${demoHelp()}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(
      ['mlcache demo:', ...parsed.problems.map((p) => `  ${p}`)].join('\n') + '\n',
    );
    return 2;
  }
  const clock = createSystemClock();
  const stop = new AbortController();
  const children: DemoProcess[] = [];
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      // Under `npm start`, one Ctrl-C arrives twice (from the terminal, and forwarded by npm):
      // only a second Ctrl-C a moment later means "do not wait for graceful stops".
      if (clock.monotonic() - firstSignalAt < 1000) return;
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    }
    firstSignalAt = clock.monotonic();
    process.stdout.write(`\n${signal}: stopping everything...\n`);
    stop.abort();
  };
  const killAll = (): void => children.forEach((child) => child.kill('SIGKILL'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAll);
  try {
    return await runDemo(parsed.options, {
      clock,
      print: (line) => process.stdout.write(`${line}\n`),
      error: (line) => process.stderr.write(`${line}\n`),
      stop: stop.signal,
      started: (child) => children.push(child),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
