/**
 * Key routing micro benchmark: shardOf (XXH64 of the key or its hash tag, masked) per second, for
 * latin1 string keys and Buffer keys of a few lengths, against Node's built-in hashing for scale.
 *
 *   node node/bench/ring-key-hash.ts [keys=200000] [rounds=5]
 */
import { createHash } from 'node:crypto';

import { shardOf } from '../src/cluster/shard-of.ts';

const keyCount = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);

function best(run: () => number): number {
  let fastest = Infinity;
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    sink += run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  if (sink === -1) console.log(sink);
  return keyCount / (fastest / 1000);
}

for (const length of [8, 16, 40, 100]) {
  const strings = Array.from({ length: keyCount }, (_, i) => `k:${i}:`.padEnd(length, 'x'));
  const buffers = strings.map((key) => Buffer.from(key, 'latin1'));
  const tagged = strings.map((key, i) => `{user${i % 1000}}${key.slice(8)}`);
  const mops = (perSecond: number) => `${(perSecond / 1e6).toFixed(2)} M/s`;
  const stringRate = best(() => strings.reduce((sum, key) => sum + shardOf(key), 0));
  const bufferRate = best(() => buffers.reduce((sum, key) => sum + shardOf(key), 0));
  const taggedRate = best(() => tagged.reduce((sum, key) => sum + shardOf(key), 0));
  const md5Rate = best(() =>
    buffers.reduce((sum, key) => sum + createHash('md5').update(key).digest()[0]!, 0),
  );
  console.log(
    `${String(length).padStart(3)} B: string ${mops(stringRate)}, Buffer ${mops(bufferRate)}, tagged string ${mops(taggedRate)} (md5 via node:crypto ${mops(md5Rate)})`,
  );
}
