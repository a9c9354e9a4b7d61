import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeSource } from './change-feed.ts';
import { TrackingRegistry } from './tracking-registry.ts';
import type { TrackedClient } from './tracking-registry.ts';

/**
 * Property test of the default mode against a model of Redis's rules: each client is sent each
 * key it read (as OPTIN, OPTOUT and CLIENT CACHING allow) exactly once, at the first change after
 * the read, unless NOLOOP and the change is its own; a flush sends every tracking client a null
 * and forgets everything. A client that turns tracking off is sent nothing while off, but as in
 * Redis the keys it read stay in the table: turned on again, it hears of them. Unlike Redis, the
 * table is emptied when no client tracks any more.
 */

const KEYS = ['a', 'b', 'c', 'd'];
const CLIENTS = 3;

type Mode = 'plain' | 'optin' | 'optout' | 'noloop';

type Op =
  | { kind: 'enable'; client: number; mode: Mode }
  | { kind: 'disable'; client: number }
  | { kind: 'read'; client: number; key: number; caching: boolean }
  | { kind: 'change'; key: number; by: number | undefined }
  | { kind: 'flush' };

const client = fc.nat(CLIENTS - 1);
const key = fc.nat(KEYS.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('enable' as const),
      client,
      mode: fc.constantFrom<Mode>('plain', 'optin', 'optout', 'noloop'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disable' as const), client }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      client,
      key,
      caching: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      key,
      by: fc.option(client, { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
);

const push = (key: string): string =>
  `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${key.length}\r\n${key}\r\n`;
const NULL_PUSH = '>2\r\n$10\r\ninvalidate\r\n_\r\n';

describe('TrackingRegistry (default mode) against a model', () => {
  it('sends each read key once, at its first change, as OPTIN, OPTOUT and NOLOOP allow', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), (ops) => {
        const frames: string[][] = Array.from({ length: CLIENTS }, () => []);
        const clients: TrackedClient[] = frames.map((received, id) => ({
          id: id + 1,
          resp3: true,
          tracking: undefined,
          subscriptions: { active: false },
          push: (frame) => void received.push(frame.toString('latin1')),
        }));
        let listener: ((key: string | undefined) => void) | undefined;
        const store: ChangeSource = { observeChanges: (l) => void (listener = l) };
        const registry = new TrackingRegistry(
          new Map(clients.map((c) => [c.id, c])),
          store,
          () => {},
        );

        // The model: each client's mode while it tracks, the keys it will be told of, and what
        // it must have been sent.
        const modes: (Mode | undefined)[] = Array.from({ length: CLIENTS }, () => undefined);
        const remembered = Array.from({ length: CLIENTS }, () => new Set<string>());
        const expected: string[][] = Array.from({ length: CLIENTS }, () => []);

        for (const step of ops) {
          if (step.kind === 'enable') {
            const mode = modes[step.client];
            // Redis refuses to switch between OPTIN and OPTOUT while on (the command checks it).
            const switching =
              (step.mode === 'optin' && mode === 'optout') ||
              (step.mode === 'optout' && mode === 'optin');
            if (switching) continue;
            registry.enable(clients[step.client]!, {
              redirect: 0,
              bcast: false,
              optin: step.mode === 'optin',
              optout: step.mode === 'optout',
              noloop: step.mode === 'noloop',
              prefixes: [],
            });
            modes[step.client] = step.mode;
          } else if (step.kind === 'disable') {
            registry.disable(clients[step.client]!);
            modes[step.client] = undefined;
            if (modes.every((mode) => mode === undefined))
              for (const keys of remembered) keys.clear();
          } else if (step.kind === 'read') {
            const reader = clients[step.client]!;
            if (reader.tracking !== undefined) reader.tracking.caching = step.caching;
            registry.remember(reader, [KEYS[step.key]!]);
            const mode = modes[step.client];
            const kept =
              mode === 'plain' ||
              mode === 'noloop' ||
              (mode === 'optin' && step.caching) ||
              (mode === 'optout' && !step.caching);
            if (kept) remembered[step.client]!.add(KEYS[step.key]!);
          } else if (step.kind === 'change') {
            const name = KEYS[step.key]!;
            const by = step.by === undefined ? undefined : clients[step.by];
            registry.current = by;
            listener?.(name);
            registry.current = undefined;
            if (by !== undefined) registry.sendPending(by);
            for (let c = 0; c < CLIENTS; c++) {
              if (!remembered[c]!.delete(name) || modes[c] === undefined) continue;
              if (modes[c] === 'noloop' && step.by === c) continue;
              expected[c]!.push(push(name));
            }
          } else {
            listener?.(undefined);
            for (let c = 0; c < CLIENTS; c++) {
              remembered[c]!.clear();
              if (modes[c] !== undefined) expected[c]!.push(NULL_PUSH);
            }
          }
          expect(frames).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });
});
