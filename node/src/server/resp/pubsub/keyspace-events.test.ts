import { describe, expect, it } from 'vitest';
import { parseKeyspaceEvents } from '../../../config/keyspace-events.ts';
import { KeyspaceNotifier } from './keyspace-events.ts';

describe('KeyspaceNotifier', () => {
  function setUp() {
    let listener: ((key: string, reason: string) => void) | undefined;
    const published: string[] = [];
    const notifier = new KeyspaceNotifier(
      { observeRemovals: (l) => (listener = l) },
      {
        publish: (channel, message) => {
          published.push(`${channel} ${message.toString('latin1')}`);
          return 0;
        },
      },
    );
    return { notifier, published, listener: () => listener };
  }

  it('publishes expired and evicted keys on the key channel, then the event channel', () => {
    const { notifier, published, listener } = setUp();
    notifier.flags = parseKeyspaceEvents('KExe')!;
    listener()!('k1', 'expired');
    listener()!('k2', 'capacity');
    listener()!('k3', 'deleted');
    expect(published).toEqual([
      '__keyspace@0__:k1 expired',
      '__keyevent@0__:expired k1',
      '__keyspace@0__:k2 evicted',
      '__keyevent@0__:evicted k2',
    ]);
  });

  it('asks the store for removals only while expired or evicted events go somewhere', () => {
    const { notifier, published, listener } = setUp();
    notifier.flags = parseKeyspaceEvents('Ex')!;
    listener()!('k', 'capacity');
    expect(published).toEqual([]);
    notifier.flags = parseKeyspaceEvents('x')!;
    expect(listener()).toBeUndefined();
    notifier.flags = parseKeyspaceEvents('KEg$')!;
    expect(listener()).toBeUndefined();
    notifier.flags = parseKeyspaceEvents('AK')!;
    listener()!('k', 'capacity');
    expect(published).toEqual(['__keyspace@0__:k evicted']);
  });
});
