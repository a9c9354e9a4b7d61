import { describe, expect, it } from 'vitest';
import {
  GENERIC,
  KEY_MISS,
  NEW_KEY,
  parseKeyspaceEvents,
  STRING,
} from '../../../config/keyspace-events.ts';
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

  it('publishes a command event to the channels K and E choose, when its class is on', () => {
    const { notifier, published } = setUp();
    notifier.flags = parseKeyspaceEvents('K$')!;
    notifier.notify(STRING, 'set', 'k\xff');
    notifier.notify(GENERIC, 'del', 'k');
    notifier.flags = parseKeyspaceEvents('Eg')!;
    notifier.notify(GENERIC, 'del', 'k');
    expect(published).toEqual(['__keyspace@0__:k\xff set', '__keyevent@0__:del k']);
  });

  it('raises new before a write that created its key, and keymiss for a miss', () => {
    const { notifier, published } = setUp();
    notifier.flags = parseKeyspaceEvents('E$nm')!;
    notifier.written(STRING, 'append', 'a', true);
    notifier.written(STRING, 'append', 'b', false);
    notifier.keyMiss('c');
    notifier.flags = parseKeyspaceEvents('E$')!;
    notifier.written(STRING, 'append', 'd', true);
    notifier.keyMiss('e');
    expect(published).toEqual([
      '__keyevent@0__:new a',
      '__keyevent@0__:append a',
      '__keyevent@0__:append b',
      '__keyevent@0__:keymiss c',
      '__keyevent@0__:append d',
    ]);
  });

  it('wants nothing without K or E, and asks the store whether a key is new only for n', () => {
    const { notifier } = setUp();
    let asked = 0;
    const store = { has: (key: string) => (asked++, key === 'old') };
    notifier.flags = parseKeyspaceEvents('g$nm')!;
    expect(notifier.wants(GENERIC | STRING | NEW_KEY | KEY_MISS)).toBe(false);
    expect(notifier.creates(store, 'new')).toBe(false);
    notifier.flags = parseKeyspaceEvents('KA')!;
    expect(notifier.wants(STRING)).toBe(true);
    expect(notifier.wants(NEW_KEY | KEY_MISS)).toBe(false);
    expect(notifier.creates(store, 'new')).toBe(false);
    expect(asked).toBe(0);
    notifier.flags = parseKeyspaceEvents('En')!;
    expect(notifier.creates(store, 'new')).toBe(true);
    expect(notifier.creates(store, 'old')).toBe(false);
    expect(asked).toBe(2);
  });
});
