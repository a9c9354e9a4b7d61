import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { Session } from './session.ts';
import type { SlowLogArgs } from './slow-log.ts';

const REDACTED = Buffer.from('(redacted)');

/**
 * Logs the command the session just ran (`session.called`) when it took at least the slow log's
 * threshold; `durationMs` is what the caller measured on the monotonic clock. EXEC is skipped
 * (skip_slowlog: the commands it ran are logged one by one) and passwords are redacted.
 */
export function logSlowCall(session: Session, args: CommandArgs, durationMs: number): void {
  const entry = session.called;
  const server = session.server;
  const log = server.slowLog;
  // Redis's duration is whole microseconds (ustime() differences).
  const durationUs = Math.round(durationMs * 1000);
  if (entry === undefined || entry.skipSlowlog || !log.wants(durationUs)) return;
  log.record(
    redacted(entry.fullName, args),
    durationUs,
    Math.floor(server.clock.now() / 1000),
    session.peer.remote,
    session.name,
  );
}

/**
 * The arguments as Redis's slow log shows them after redactClientCommandArgument: AUTH's
 * arguments in its two valid forms, and the user and password of each well-formed HELLO AUTH.
 */
function redacted(command: string, args: CommandArgs): SlowLogArgs {
  const hidden = new Set<number>();
  if (command === 'auth' && args.count <= 3) {
    for (let i = 1; i < args.count; i++) hidden.add(i);
  } else if (command === 'hello') {
    // Redis's helloCommand option loop, which redacts as it parses and stops at a bad option.
    for (let i = 2; i < args.count; i++) {
      const more = args.count - 1 - i;
      if (args.is(i, 'auth') && more >= 2) {
        hidden.add(i + 1).add(i + 2);
        i += 2;
      } else if (args.is(i, 'setname') && more >= 1) {
        i++;
      } else {
        break;
      }
    }
  }
  if (hidden.size === 0) return args;
  return { count: args.count, view: (i) => (hidden.has(i) ? REDACTED : args.view(i)) };
}
