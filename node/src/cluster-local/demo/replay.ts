import type { Clock } from '../../util/clock.ts';
import { ReplyError, RespClient } from './resp-client.ts';
import type { Workload } from './workload.ts';

/**
 * Sends a workload through the gateway as a read-through cache's clients would, with one twist
 * that keeps a mirrored comparison fair: each request is `GET key` followed at once (same
 * pipeline) by `SET key value NX`. A node whose GET missed stores the value (its own read-through
 * fill); a node whose GET hit ignores the SET (NX: no write, no access counted, no policy
 * update). So every node fills its own misses, whatever the primary's GET returned, and all of
 * them still receive identical request streams. (A client that SETs only after the primary's
 * miss would leave a mirror's own misses unfilled, and tie its hit ratio to the primary's.)
 *
 * A few connections each pipeline a batch of such pairs until the request count or the time is
 * reached. All connections draw from the one workload, so the requests do not depend on how many
 * connections there are (only the interleaving of batches does).
 */
export interface ReplayOptions {
  readonly host: string;
  readonly port: number;
  readonly workload: Workload;
  /** GETs to send in total. */
  readonly requests: number;
  /** Stop earlier after this long. */
  readonly durationMs: number;
  /** @default 4 */
  readonly connections?: number;
  /** GETs per pipelined batch. @default 32 */
  readonly batch?: number;
  readonly clock: Clock;
  /** Stops the replay early (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called about once a second with the GETs sent so far. */
  readonly progress?: (sent: number) => void;
}

export interface ReplayResult {
  readonly gets: number;
  /** GETs the primary answered with a value. */
  readonly hits: number;
  /** SET NX the primary applied (its misses, filled). */
  readonly sets: number;
  /** Error replies (the gateway's or a node's). */
  readonly errors: number;
  readonly elapsedMs: number;
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { clock, workload } = options;
  const batch = options.batch ?? 32;
  const clients = await Promise.all(
    Array.from({ length: options.connections ?? 4 }, () =>
      RespClient.connect(options.host, options.port),
    ),
  );
  const started = clock.monotonic();
  let lastProgress = started;
  const result = { gets: 0, hits: 0, sets: 0, errors: 0 };
  // Values are slices of one buffer: their content does not matter, only their size.
  const filler = Buffer.alloc(workload.settings.maxValueSize, 'v');
  const drive = async (client: RespClient): Promise<void> => {
    for (;;) {
      const now = clock.monotonic();
      if (now - started >= options.durationMs || options.signal?.aborted === true) return;
      const count = Math.min(batch, options.requests - result.gets);
      if (count <= 0) return;
      result.gets += count;
      const commands: (string | Buffer)[][] = [];
      for (let i = 0; i < count; i++) {
        const request = workload.next();
        commands.push(['GET', request.key]);
        commands.push(['SET', request.key, filler.subarray(0, request.valueSize), 'NX']);
      }
      const replies = await client.pipeline(commands);
      for (let i = 0; i < replies.length; i += 2) {
        const [got, set] = [replies[i], replies[i + 1]];
        if (got instanceof ReplyError) result.errors++;
        else if (got !== null) result.hits++;
        if (set instanceof ReplyError) result.errors++;
        else if (set === 'OK') result.sets++;
      }
      if (options.progress !== undefined && now - lastProgress >= 1000) {
        lastProgress = now;
        options.progress(result.gets);
      }
    }
  };
  try {
    await Promise.all(clients.map(drive));
  } finally {
    clients.forEach((client) => client.close());
  }
  return { ...result, elapsedMs: clock.monotonic() - started };
}
