import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace } from '../src/data/trace-file.ts';
import { HAVE_TRACES, NO_TRACES_MESSAGE, TRACES } from './traces.ts';

/** Reads up to `limit` requests of a trace into plain columns. */
async function head(path: string, limit = Infinity) {
  const keys: number[] = [];
  const sizes: number[] = [];
  const timestamps: number[] = [];
  let next: number[] | null = null;
  for await (const batch of openTrace(path).batches) {
    const n = Math.min(batch.length, limit - keys.length);
    keys.push(...batch.keys.subarray(0, n));
    sizes.push(...batch.sizes.subarray(0, n));
    timestamps.push(...batch.timestamps.subarray(0, n));
    if (batch.nextAccess !== null) (next ??= []).push(...batch.nextAccess.subarray(0, n));
    if (keys.length >= limit) break;
  }
  return { keys, sizes, timestamps, next };
}

describe.skipIf(!HAVE_TRACES)('trace readers against the shared CSV conversions', () => {
  it('oracleGeneral: cloudPhysicsIO.oracleGeneral.bin holds exactly the rows of the CSV', async () => {
    const bin = await head(join(TRACES, 'original', 'cloudPhysicsIO.oracleGeneral.bin'));
    const csv = await head(join(TRACES, 'csv', 'lcs_cloudPhysicsIO.csv.zst'));
    expect(bin.keys.length).toBe(113_872);
    expect(bin.keys).toEqual(csv.keys);
    expect(bin.sizes).toEqual(csv.sizes);
    expect(bin.timestamps).toEqual(csv.timestamps);
    // The file's next-access column (made 0-based by the reader) is each key's next request.
    const expected = new Array<number>(bin.keys.length);
    const nextSeen = new Map<number, number>();
    for (let i = bin.keys.length - 1; i >= 0; i--) {
      expected[i] = nextSeen.get(bin.keys[i]!) ?? -1;
      nextSeen.set(bin.keys[i]!, i);
    }
    expect(bin.next).toEqual(expected);
  });

  it('arc: arc_OLTP.lis expands to the CSV (first 200k requests)', async () => {
    const lis = await head(join(TRACES, 'original', 'arc_OLTP.lis.zst'), 200_000);
    const csv = await head(join(TRACES, 'csv', 'arc_OLTP.csv.zst'), 200_000);
    expect(lis).toEqual(csv);
  });

  it('lirs: sprite.trace.gz is the CSV, markers skipped', async () => {
    const trace = await head(join(TRACES, 'original', 'sprite.trace.gz'));
    const csv = await head(join(TRACES, 'csv', 'lirs_sprite.csv.zst'));
    expect(trace.keys.length).toBe(133_996);
    expect(trace).toEqual(csv);
  });
});

describe.runIf(!HAVE_TRACES)('trace readers against the shared CSV conversions', () => {
  it.skip(NO_TRACES_MESSAGE, () => {});
});
