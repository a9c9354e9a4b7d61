/**
 * The byte formats of node/proto/scorer.proto, the node's side: feature rows and labels go out
 * as little-endian float32, scores come back as little-endian float64. Typed arrays use the
 * host's byte order, which is little-endian on every platform the node runs on (x64, arm64).
 */

/** The first `count` floats of `values` as bytes (a copy: the caller may reuse its buffer). */
export function float32Bytes(values: Float32Array, count: number): Buffer {
  if (count > values.length) throw new RangeError(`${count} values from ${values.length}`);
  return Buffer.from(values.slice(0, count).buffer);
}

/**
 * The `n` scores of a ScoreResponse, or a message saying why the bytes are not `n` float64
 * values (a scorer of another build, a truncated answer).
 */
export function readScores(bytes: Uint8Array, n: number): Float64Array | string {
  if (bytes.byteLength !== n * 8) {
    return `the scorer sent ${bytes.byteLength} bytes of scores for ${n} rows (expected ${n * 8})`;
  }
  // Protobuf does not align bytes fields; copy when a view is impossible.
  const scores =
    bytes.byteOffset % 8 === 0
      ? new Float64Array(bytes.buffer, bytes.byteOffset, n)
      : new Float64Array(new Uint8Array(bytes).buffer);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) return `score ${i} is NaN`;
  }
  return scores;
}
