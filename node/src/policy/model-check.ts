import { deepStrictEqual, strictEqual } from 'node:assert/strict';

import fc from 'fast-check';

import type { EvictionPolicy } from './eviction-policy.ts';

/**
 * A conformance harness for policies: replays one operation sequence against a policy and against
 * an obviously correct reference model (plain arrays, O(n) everything) and fails on the first
 * difference in `evict()` or `candidates()`. Property tests feed it random sequences; any policy
 * with an exact order (LRU, LFU, and the simulator's own) can reuse it.
 */

/** What a reference model must answer; slots are the policy's slots. */
export interface PolicyModel {
  insert(slot: number): void;
  access(slot: number): void;
  update(slot: number): void;
  remove(slot: number): void;
  /** The victim by the policy's rule, forgotten; -1 when empty. */
  evict(): number;
  /** Every resident slot, preferred victim first. */
  order(): number[];
  clear(): void;
}

/** One abstract step; `pick` selects a slot so that every step respects the policy contract. */
export type PolicyOp =
  | { readonly kind: 'insert'; readonly pick: number; readonly size: number }
  | { readonly kind: 'access' | 'update' | 'remove'; readonly pick: number }
  | { readonly kind: 'touchAbsent'; readonly pick: number }
  | { readonly kind: 'evict' | 'clear' | 'miss' }
  | { readonly kind: 'candidates'; readonly max: number };

/** Random operation sequences; inserts and hits dominate so that lists and buckets grow. */
export function policyOps(maxLength = 300): fc.Arbitrary<PolicyOp[]> {
  const pick = fc.nat(1000);
  const op: fc.Arbitrary<PolicyOp> = fc.oneof(
    {
      weight: 18,
      arbitrary: fc.record({ kind: fc.constant('insert' as const), pick, size: fc.nat(100) }),
    },
    { weight: 24, arbitrary: fc.record({ kind: fc.constant('access' as const), pick }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('update' as const), pick }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('touchAbsent' as const), pick }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('evict' as const) }) },
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant('candidates' as const), max: fc.nat(8) }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('miss' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  );
  return fc.array(op, { maxLength, size: 'max' });
}

/** Slots 0..SMALL_SLOTS-1 are reused often; a few far slots exercise the typed-array growth. */
const SMALL_SLOTS = 24;
const FAR_SLOT = 3000;

/** Replays `ops` on both, checking the full candidate order after every step. */
export function checkAgainstModel(
  policy: EvictionPolicy,
  model: PolicyModel,
  ops: readonly PolicyOp[],
): void {
  const resident = new Set<number>();
  const out = new Int32Array(FAR_SLOT);
  ops.forEach((op, step) => {
    const where = `step ${step} (${JSON.stringify(op)})`;
    switch (op.kind) {
      case 'insert': {
        const slot = freeSlot(resident, op.pick);
        if (slot === -1) break;
        resident.add(slot);
        policy.onInsert(slot, slot * 7919, op.size);
        model.insert(slot);
        break;
      }
      case 'access':
      case 'update':
      case 'remove': {
        const sorted = [...resident].sort((a, b) => a - b);
        if (sorted.length === 0) break;
        const slot = sorted[op.pick % sorted.length] as number;
        if (op.kind === 'access') {
          policy.onAccess(slot);
          model.access(slot);
        } else if (op.kind === 'update') {
          policy.onUpdate(slot, 1 + (op.pick % 100));
          model.update(slot);
        } else {
          policy.onRemove(slot);
          model.remove(slot);
          resident.delete(slot);
        }
        break;
      }
      case 'touchAbsent': {
        // Contract violations a cache might commit; they must not corrupt the order.
        const slot = freeSlot(resident, op.pick);
        if (slot === -1) break;
        policy.onAccess(slot);
        policy.onRemove(slot);
        break;
      }
      case 'evict': {
        const victim = policy.evict();
        strictEqual(victim, model.evict(), `evict() at ${where}`);
        resident.delete(victim);
        break;
      }
      case 'candidates': {
        const written = policy.candidates(out, op.max);
        deepStrictEqual(
          Array.from(out.subarray(0, written)),
          model.order().slice(0, op.max),
          `candidates(${op.max}) at ${where}`,
        );
        break;
      }
      case 'clear':
        policy.clear();
        model.clear();
        resident.clear();
        break;
      case 'miss':
        policy.onMiss(op.kind.length);
        break;
    }
    const all: number[] = [];
    const written = policy.candidates(all, Number.MAX_SAFE_INTEGER);
    strictEqual(written, all.length, `candidates count at ${where}`);
    deepStrictEqual(all, model.order(), `full order after ${where}`);
  });
}

/** A slot that is not resident, chosen by `pick`: mostly small reused ones, sometimes a far one. */
function freeSlot(resident: ReadonlySet<number>, pick: number): number {
  if (pick % 17 === 16) {
    const far = FAR_SLOT - 1 - (pick % 5);
    return resident.has(far) ? -1 : far;
  }
  for (let i = 0; i < SMALL_SLOTS; i++) {
    const slot = (pick + i) % SMALL_SLOTS;
    if (!resident.has(slot)) return slot;
  }
  return -1;
}
