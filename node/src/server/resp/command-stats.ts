import type { CommandStatsSource } from '../../metrics/sources.ts';
import type { CommandRegistry } from './command-registry.ts';
import { LatencyHistogram } from './latency-histogram.ts';

/**
 * The RESP front end's counters, as plain numbers (metrics reads them at scrape time through
 * CommandStatsSource). Per-command calls and errors live on the registry's entries, so counting a
 * call is one increment on an object the dispatcher already holds.
 *
 * Latency is measured per batch, not per command: the connection reads the monotonic clock once
 * before and once after running every command of one socket read, and records the batch's
 * average for each of its commands. Without pipelining a batch is one command, so that is exact;
 * with pipelining a single slow command is spread over its batch. Two clock reads per batch cost
 * ~80 ns, against ~300 ns for two reads per command on a 16-command pipeline.
 */
export class CommandStats implements CommandStatsSource {
  readonly latency = new LatencyHistogram();
  connectedClients = 0;
  totalConnections = 0;
  protocolErrors = 0;
  /** Commands executed (rejected ones included), all commands together. */
  totalCommands = 0;
  /** Error replies of any kind, unknown commands included. */
  errorReplies = 0;
  readonly #registry: CommandRegistry;

  constructor(registry: CommandRegistry) {
    this.#registry = registry;
  }

  forEachCommand(visit: (name: string, calls: number, errors: number) => void): void {
    for (const entry of this.#registry.entries()) {
      if (entry.calls > 0) visit(entry.fullName, entry.calls, entry.errors);
    }
  }

  /** Records a batch of `commands` commands that took `elapsedMs` milliseconds in total. */
  observeBatch(commands: number, elapsedMs: number): void {
    if (commands === 0) return;
    this.latency.observe(elapsedMs / 1000 / commands, commands);
  }
}
