import type { PersistedEntry, Persistence } from './persistence.ts';

/** One call the store made on its persistence port. */
export type PersistenceCall =
  | { readonly op: 'put'; readonly key: string; readonly value: Buffer; readonly expireAt: number }
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'clear' };

/**
 * An in-memory Persistence for tests: records every call, can replay them into the state a real
 * adapter would hold, and can be switched to refuse writes or to make writers wait.
 */
export class RecordingPersistence implements Persistence {
  readonly calls: PersistenceCall[] = [];
  /** Set to false to simulate a failed disk; the store must then refuse writes. */
  writable = true;
  /** When set, `barrier()` returns this promise (durability `always`); otherwise undefined. */
  pendingBarrier: Promise<void> | undefined = undefined;

  put(key: string, value: Buffer, expireAt: number): void {
    this.calls.push({ op: 'put', key, value, expireAt });
  }

  delete(key: string): void {
    this.calls.push({ op: 'delete', key });
  }

  clear(): void {
    this.calls.push({ op: 'clear' });
  }

  barrier(): Promise<void> | undefined {
    return this.pendingBarrier;
  }

  /** What durable storage would hold after applying every recorded call in order. */
  replay(): Map<string, PersistedEntry> {
    const state = new Map<string, PersistedEntry>();
    for (const call of this.calls) {
      if (call.op === 'put') {
        state.set(call.key, { key: call.key, value: call.value, expireAt: call.expireAt });
      } else if (call.op === 'delete') {
        state.delete(call.key);
      } else {
        state.clear();
      }
    }
    return state;
  }

  /** Forgets the recorded calls, so that a test can look at one phase alone (replay() then covers only later calls). */
  reset(): void {
    this.calls.length = 0;
  }
}
