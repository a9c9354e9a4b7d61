import type { Clock } from '../util/clock.ts';
import type { AdminClient } from './admin-client.ts';
import { createAdminClient } from './admin-client.ts';
import type { ClusterLayout } from './layout.ts';
import { clusterLayout } from './layout.ts';

/**
 * What every cluster command works with: the directory, the way to reach the processes, where
 * progress lines go, and time. The CLI builds one from its flags; tests and benchmarks build
 * theirs with `createClusterContext` and collect the progress lines.
 */
export interface ClusterContext {
  readonly layout: ClusterLayout;
  readonly client: AdminClient;
  /** One human-readable progress line (no newline). */
  readonly report: (line: string) => void;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long a command may wait for processes and copies, in ms (--timeout). */
  readonly timeoutMs: number;
  /** How often waits poll the processes, in ms. */
  readonly pollMs: number;
}

export interface ContextOptions {
  readonly dir: string;
  readonly report: (line: string) => void;
  readonly clock: Clock;
  /** @default 120_000 */
  readonly timeoutMs?: number;
  /** @default 200 */
  readonly pollMs?: number;
  /** Per HTTP request. @default 3000 */
  readonly requestTimeoutMs?: number;
}

export function createClusterContext(options: ContextOptions): ClusterContext {
  return {
    layout: clusterLayout(options.dir),
    client: createAdminClient(options.requestTimeoutMs ?? 3000),
    report: options.report,
    clock: options.clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    timeoutMs: options.timeoutMs ?? 120_000,
    pollMs: options.pollMs ?? 200,
  };
}

/** A deadline `ms` from now on the context's monotonic clock. */
export function deadlineIn(context: ClusterContext, ms: number): () => boolean {
  const end = context.clock.monotonic() + ms;
  return () => context.clock.monotonic() > end;
}
