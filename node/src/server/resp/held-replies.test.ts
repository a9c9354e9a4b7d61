import { describe, expect, it } from 'vitest';
import { CommandRegistry } from './command-registry.ts';
import { COMMAND_TABLE } from './command-table.ts';
import { HeldReplies } from './held-replies.ts';

function deferred(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
} {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const set = new CommandRegistry(COMMAND_TABLE).find('set')!;
const b = (text: string): Buffer => Buffer.from(text);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HeldReplies', () => {
  it('sends at once while nothing is held', () => {
    const sent: string[] = [];
    const held = new HeldReplies(
      (chunks) => sent.push(Buffer.concat(chunks).toString()),
      b('-ERR\r\n'),
      () => {},
    );
    held.emit(b('+a\r\n'));
    expect(sent).toEqual(['+a\r\n']);
    expect(held.empty).toBe(true);
  });

  it('keeps order across writes that become durable out of order', async () => {
    const sent: string[] = [];
    const held = new HeldReplies(
      (chunks) => sent.push(Buffer.concat(chunks).toString()),
      b('-ERR\r\n'),
      () => {},
    );
    const first = deferred();
    const second = deferred();
    held.emit(b('1'));
    held.hold(set, b('2'), first.promise);
    held.emit(b('3'));
    held.hold(set, b('4'), second.promise);
    held.emit(b('5'));
    expect(held.bytes).toBe(4);
    second.resolve();
    await flush();
    expect(sent).toEqual(['1']);
    first.resolve();
    await flush();
    expect(sent).toEqual(['1', '2345']);
    expect(held.empty).toBe(true);
    expect(held.bytes).toBe(0);
  });

  it('replaces the reply of a write whose sync failed, and only that one', async () => {
    const sent: string[] = [];
    const failures: unknown[] = [];
    const held = new HeldReplies(
      (chunks) => sent.push(Buffer.concat(chunks).toString()),
      b('-MISCONF\r\n'),
      (_entry, error) => failures.push(error),
    );
    const failed = deferred();
    const ok = deferred();
    held.hold(set, b('+OK\r\n'), failed.promise);
    held.hold(set, b('+OK\r\n'), ok.promise);
    failed.reject(new Error('disk full'));
    ok.resolve();
    await flush();
    expect(sent.join('')).toBe('-MISCONF\r\n+OK\r\n');
    expect(failures).toHaveLength(1);
  });
});
