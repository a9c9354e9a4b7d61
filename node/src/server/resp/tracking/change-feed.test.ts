import { describe, expect, it } from 'vitest';
import { ChangeFeed } from './change-feed.ts';
import type { ChangeSource } from './change-feed.ts';

/** A store stand-in: the listener it was given last, and a way to report a change. */
function fakeStore(): ChangeSource & {
  listener: ((key: string | undefined) => void) | undefined;
  change(key: string | undefined): void;
} {
  return {
    listener: undefined,
    observeChanges(listener) {
      this.listener = listener;
    },
    change(key) {
      this.listener?.(key);
    },
  };
}

describe('ChangeFeed', () => {
  it('asks the store only while some consumer listens, and calls a lone one directly', () => {
    const store = fakeStore();
    const feed = new ChangeFeed(store);
    const watch = feed.consumer();
    const tracking = feed.consumer();
    expect(store.listener).toBeUndefined();
    const seen: (string | undefined)[] = [];
    const onWatch = (key: string | undefined): void => void seen.push(`watch ${key}`);
    watch.observeChanges(onWatch);
    expect(store.listener).toBe(onWatch);
    tracking.observeChanges((key) => seen.push(`tracking ${key}`));
    store.change('a');
    store.change(undefined);
    watch.observeChanges(undefined);
    store.change('b');
    tracking.observeChanges(undefined);
    expect(store.listener).toBeUndefined();
    store.change('c');
    expect(seen).toEqual([
      'watch a',
      'tracking a',
      'watch undefined',
      'tracking undefined',
      'tracking b',
    ]);
  });
});
