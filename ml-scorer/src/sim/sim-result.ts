/** What one simulated cache reports after a replay. */
export interface SimResult {
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  /** Sum of request sizes in the cache's unit (1 per request with ignoreSize). */
  readonly byteRequests: number;
  readonly byteMisses: number;
  /** misses / requests (0 for an empty trace). */
  readonly missRatio: number;
  /** byteMisses / byteRequests; equals missRatio with ignoreSize, as in libCacheSim. */
  readonly byteMissRatio: number;
  /** Wall time spent in this cache's replay loop (not reading or parsing the trace). */
  readonly seconds: number;
}

/** Builds a result from raw counters, deriving the ratios. */
export function toSimResult(counters: {
  requests: number;
  hits: number;
  byteRequests: number;
  byteMisses: number;
  seconds: number;
}): SimResult {
  const misses = counters.requests - counters.hits;
  return {
    requests: counters.requests,
    hits: counters.hits,
    misses,
    byteRequests: counters.byteRequests,
    byteMisses: counters.byteMisses,
    missRatio: counters.requests === 0 ? 0 : misses / counters.requests,
    byteMissRatio: counters.byteRequests === 0 ? 0 : counters.byteMisses / counters.byteRequests,
    seconds: counters.seconds,
  };
}
