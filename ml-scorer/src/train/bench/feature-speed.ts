/**
 * Measures the per-access cost of the feature state and of writing a row, and compares the
 * table-driven decay with Math.pow / Math.exp. Run: npx node ml-scorer/src/train/bench/feature-speed.ts
 */
import { decayFactor } from '../../../../node/src/policy/feature-decay.ts';
import { FEATURE_COUNT, FeatureTracker } from '../../../../node/src/policy/features.ts';
import { createRandom } from '../../../../node/src/util/random.ts';

const N = 5_000_000;
const rng = createRandom(7);
const deltas = new Int32Array(1 << 16);
for (let i = 0; i < deltas.length; i++) deltas[i] = Math.floor(rng.next() ** 3 * 2 ** 22);
const mask = deltas.length - 1;

function time(label: string, fn: () => number): void {
  fn(); // warm up
  const start = performance.now();
  const sink = fn();
  const ns = ((performance.now() - start) * 1e6) / N;
  console.log(`${label.padEnd(34)} ${ns.toFixed(1).padStart(6)} ns/op  (sink ${sink.toFixed(3)})`);
}

const LN2 = Math.LN2;
time('decay: 3 × Math.pow', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const d = deltas[i & mask]!;
    s += Math.pow(2, -d / 1024) + Math.pow(2, -d / 8192) + Math.pow(2, -d / 65536);
  }
  return s;
});
time('decay: 3 × Math.exp', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const d = deltas[i & mask]!;
    s += Math.exp((-d * LN2) / 1024) + Math.exp((-d * LN2) / 8192) + Math.exp((-d * LN2) / 65536);
  }
  return s;
});
time('decay: 3 × decayFactor (tables)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const d = deltas[i & mask]!;
    s += decayFactor(d, 10) + decayFactor(d, 13) + decayFactor(d, 16);
  }
  return s;
});

const SLOTS = Number(process.argv[2] ?? 1 << 20);
const tracker = new FeatureTracker({ initialSlots: SLOTS, ghostCapacity: SLOTS });
for (let s = 0; s < SLOTS; s++) tracker.onInsert(s, s, s, 100 + (s & 1023), 0);
let t = SLOTS;
const slots = new Int32Array(1 << 16);
for (let i = 0; i < slots.length; i++) slots[i] = rng.int(SLOTS);
time(`tracker.onAccess (${SLOTS} slots, random)`, () => {
  for (let i = 0; i < N; i++) tracker.onAccess(slots[i & mask]!, t++);
  return 0;
});
const out = new Float32Array(16 * FEATURE_COUNT);
time('tracker.write (one row)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    tracker.write(slots[i & mask]!, t, 1_700_000_000_000, 0.9, out, (i & 15) * FEATURE_COUNT);
    s += out[5]!;
  }
  return s;
});
let key = SLOTS;
time('tracker.onRemove + onInsert', () => {
  for (let i = 0; i < N; i++) {
    const slot = slots[i & mask]!;
    tracker.onRemove(slot);
    // Every 2nd insert is a key that comes back from the ghosts.
    tracker.onInsert(slot, i & 1 ? key++ : key - 1000, t++, 100, 0);
  }
  return 0;
});
