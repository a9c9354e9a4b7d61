import { describe, expect, it } from 'vitest';
import type { ChangeSource } from './change-feed.ts';
import { TrackingRegistry } from './tracking-registry.ts';
import type { TrackedClient, TrackingOptions } from './tracking-registry.ts';

const OFF: TrackingOptions = {
  redirect: 0,
  bcast: false,
  optin: false,
  optout: false,
  noloop: false,
  prefixes: [],
};

interface Client extends TrackedClient {
  readonly frames: string[];
  subscribed: boolean;
}

function client(id: number, resp3 = true): Client {
  const frames: string[] = [];
  const self: Client = {
    id,
    resp3,
    tracking: undefined,
    frames,
    subscribed: false,
    get subscriptions() {
      return { active: self.subscribed };
    },
    push: (frame) => void frames.push(frame.toString('latin1')),
  };
  return self;
}

/** A registry over `clients`, a store stand-in whose changes tests report, and a manual turn end. */
function setUp(...clients: Client[]): {
  registry: TrackingRegistry;
  change: (key: string | undefined) => void;
  listening: () => boolean;
  endTurn: () => void;
} {
  let listener: ((key: string | undefined) => void) | undefined;
  const store: ChangeSource = { observeChanges: (l) => void (listener = l) };
  const due: (() => void)[] = [];
  const registry = new TrackingRegistry(
    new Map(clients.map((c) => [c.id, c])),
    store,
    (run) => void due.push(run),
  );
  return {
    registry,
    change: (key) => listener?.(key),
    listening: () => listener !== undefined,
    endTurn: () => due.splice(0).forEach((run) => run()),
  };
}

const push = (...keys: string[]): string =>
  `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

describe('TrackingRegistry', () => {
  it('sends a remembered key once to each client that read it, and forgets it', () => {
    const a = client(1);
    const b = client(2);
    const { registry, change, listening } = setUp(a, b);
    expect(listening()).toBe(false);
    registry.enable(a, OFF);
    registry.enable(b, OFF);
    expect(listening()).toBe(true);
    registry.remember(a, ['k', 'j']);
    registry.remember(b, ['k', 'k']);
    expect([registry.keys, registry.items, registry.clients]).toEqual([2, 3, 2]);
    change('k');
    change('k');
    change('other');
    expect(a.frames).toEqual([push('k')]);
    expect(b.frames).toEqual([push('k')]);
    expect([registry.keys, registry.items]).toEqual([1, 1]);
    registry.disable(a);
    registry.disable(b);
    expect([listening(), registry.keys, registry.clients]).toEqual([false, 0, 0]);
  });

  it('holds the running client its own invalidations until its reply, and honours NOLOOP', () => {
    const a = client(1);
    const b = client(2);
    const { registry, change } = setUp(a, b);
    registry.enable(a, OFF);
    registry.enable(b, { ...OFF, noloop: true });
    registry.remember(a, ['k']);
    registry.remember(b, ['k']);
    registry.current = a;
    change('k');
    expect(a.frames).toEqual([]);
    expect(b.frames).toEqual([push('k')]);
    registry.current = undefined;
    registry.sendPending(a);
    expect(a.frames).toEqual([push('k')]);

    registry.remember(b, ['n']);
    registry.current = b;
    change('n');
    registry.current = undefined;
    registry.sendPending(b);
    expect(b.frames).toEqual([push('k')]);
    // NOLOOP consumed the key all the same: nothing is left to send.
    change('n');
    expect(b.frames).toHaveLength(1);
  });

  it('remembers under OPTIN only after CACHING YES, and under OPTOUT unless CACHING NO', () => {
    const a = client(1);
    const b = client(2);
    const { registry, change } = setUp(a, b);
    registry.enable(a, { ...OFF, optin: true });
    registry.enable(b, { ...OFF, optout: true });
    registry.remember(a, ['x']);
    registry.remember(b, ['x']);
    a.tracking!.caching = true;
    b.tracking!.caching = true;
    registry.remember(a, ['y']);
    registry.remember(b, ['y']);
    change('x');
    change('y');
    expect(a.frames).toEqual([push('y')]);
    expect(b.frames).toEqual([push('x')]);
  });

  it('broadcasts the keys changed under each prefix at the end of the turn, in byte order', () => {
    const a = client(1);
    const b = client(2);
    const { registry, change, endTurn } = setUp(a, b);
    registry.enable(a, { ...OFF, bcast: true, prefixes: ['user:', 'item:'] });
    registry.enable(b, { ...OFF, bcast: true, noloop: true });
    expect(registry.prefixes).toBe(3);
    // BCAST clients remember nothing.
    registry.remember(a, ['user:1']);
    expect(registry.keys).toBe(0);
    change('user:2');
    registry.current = b;
    change('item:1');
    change('user:1');
    registry.current = undefined;
    change('zzz');
    expect(a.frames).toEqual([]);
    endTurn();
    expect(a.frames).toEqual([push('item:1'), push('user:1', 'user:2')]);
    // Its own changes left out (NOLOOP): only user:2 and zzz came from others.
    expect(b.frames).toEqual([push('user:2', 'zzz')]);
    endTurn();
    expect(a.frames).toHaveLength(2);
    registry.disable(a);
    expect(registry.prefixes).toBe(1);
  });

  it('redirects to a RESP3 client, to a subscribed RESP2 one, and reports a broken redirect', () => {
    const a = client(1, false);
    const listener = client(2, false);
    const b = client(3);
    const gone = client(4);
    const { registry, change } = setUp(a, listener, b);
    registry.enable(a, { ...OFF, redirect: 2 });
    registry.enable(b, { ...OFF, redirect: gone.id });
    registry.remember(a, ['k']);
    registry.remember(b, ['k']);
    change('k');
    // An unsubscribed RESP2 client cannot take the message: nothing is sent.
    expect(listener.frames).toEqual([]);
    listener.subscribed = true;
    registry.remember(a, ['k']);
    change('k');
    expect(listener.frames).toEqual([
      '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n',
    ]);
    expect(b.frames).toEqual(['>2\r\n$21\r\ntracking-redir-broken\r\n:4\r\n']);
    expect(b.tracking!.brokenRedirect).toBe(true);
    change(undefined);
    expect(listener.frames.at(-1)).toBe(
      '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n',
    );
  });

  it('sends a null to every tracking client on a flush, and forgets every key', () => {
    const a = client(1);
    const b = client(2);
    const c = client(3);
    const { registry, change } = setUp(a, b, c);
    registry.enable(a, OFF);
    registry.enable(b, { ...OFF, bcast: true });
    registry.remember(a, ['k']);
    change(undefined);
    expect(a.frames).toEqual(['>2\r\n$10\r\ninvalidate\r\n_\r\n']);
    expect(b.frames).toEqual(['>2\r\n$10\r\ninvalidate\r\n_\r\n']);
    expect(c.frames).toEqual([]);
    expect(registry.keys).toBe(0);
  });

  it('invalidates the oldest keys past tracking-table-max-keys', () => {
    const a = client(1);
    const { registry } = setUp(a);
    registry.enable(a, OFF);
    registry.maxKeys = 3;
    registry.remember(a, ['k1', 'k2', 'k3', 'k4']);
    expect(a.frames).toEqual([push('k1')]);
    registry.setMaxKeys(1);
    expect(a.frames).toEqual([push('k1'), push('k2'), push('k3')]);
    expect(registry.keys).toBe(1);
    registry.setMaxKeys(0);
    registry.remember(a, ['k5', 'k6']);
    expect(registry.keys).toBe(3);
  });
});
