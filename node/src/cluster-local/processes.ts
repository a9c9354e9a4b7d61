import { existsSync, readFileSync } from 'node:fs';

/**
 * The processes a local cluster started, seen by pid only: the command that started them has
 * usually exited, so there is no ChildProcess to ask. A pid can be reused by an unrelated process
 * after ours died, so "alive" also checks, where /proc exists, that the pid still runs mlcache
 * and is not a zombie waiting for its parent to reap it.
 */

const HAS_PROC = existsSync('/proc/self/stat');

/** True when `pid` is a running mlcache process (or, without /proc, any running process). */
export function isAlive(pid: number): boolean {
  // kill(0 or negative) addresses process groups: never let a bad record signal those.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to another user, so it is not one of ours.
    return false;
  }
  if (!HAS_PROC) return true;
  const proc = readProc(pid);
  return proc !== undefined && proc.state !== 'Z' && proc.cmdline.includes('mlcache');
}

/** Sends a signal if the process is ours and alive; false when it was not. */
export function signal(pid: number, name: NodeJS.Signals): boolean {
  if (!isAlive(pid)) return false;
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** What became of each process asked to stop. */
export interface StopOutcome {
  readonly pid: number;
  readonly how: 'not-running' | 'exited' | 'killed' | 'survived';
}

/**
 * SIGTERM to each process, then waits up to `graceMs` for them to exit (a node flushes RocksDB
 * on SIGTERM, so it gets time), then SIGKILL for the stragglers.
 */
export async function stopProcesses(
  pids: readonly number[],
  graceMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<StopOutcome[]> {
  const signalled = pids.filter((pid) => signal(pid, 'SIGTERM'));
  const deadline = performance.now() + graceMs;
  while (signalled.some(isAlive) && performance.now() < deadline) await sleep(50);
  const killed = signalled.filter((pid) => signal(pid, 'SIGKILL'));
  if (killed.length > 0) {
    const killDeadline = performance.now() + 2000;
    while (killed.some(isAlive) && performance.now() < killDeadline) await sleep(20);
  }
  return pids.map((pid) => ({
    pid,
    how: !signalled.includes(pid)
      ? 'not-running'
      : !killed.includes(pid)
        ? 'exited'
        : isAlive(pid)
          ? 'survived'
          : 'killed',
  }));
}

function readProc(pid: number): { state: string; cmdline: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { state, cmdline };
  } catch {
    return undefined;
  }
}
