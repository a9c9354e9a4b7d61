import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKeyspaceEvents, parseKeyspaceEvents } from './keyspace-events.ts';

/** What redis-server 7.0.15 answers to CONFIG GET after CONFIG SET of each setting. */
const REDIS_SPELLING: readonly (readonly [string, string])[] = [
  ['KEA', 'AKE'],
  ['Ex', 'xE'],
  ['A', 'A'],
  ['g$lshzxetdn', 'A'],
  ['g$lshzxet', 'g$lshzxet'],
  ['g$lshzxetn', 'g$lshzxetn'],
  ['AKEm', 'AKEm'],
  ['KEAn', 'AKE'],
  ['mnK', 'nKm'],
  ['KEnm', 'nKEm'],
  ['nd', 'dn'],
  ['e$g', 'g$e'],
  ['xK', 'xK'],
  ['', ''],
];

describe('notify-keyspace-events', () => {
  it('spells a setting back as Redis does', () => {
    for (const [given, spelled] of REDIS_SPELLING) {
      expect(formatKeyspaceEvents(parseKeyspaceEvents(given)!), given).toBe(spelled);
    }
  });

  it('refuses letters Redis refuses', () => {
    for (const bad of ['Z', 'xK!', 'k', ' ']) expect(parseKeyspaceEvents(bad), bad).toBeUndefined();
  });

  it('spells its own spelling the same (Redis drops n beside A, so only the spelling is stable)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'Ag$lshzxeKEtmdn')), (letters) => {
        const spelled = formatKeyspaceEvents(parseKeyspaceEvents(letters.join(''))!);
        expect(formatKeyspaceEvents(parseKeyspaceEvents(spelled)!)).toBe(spelled);
      }),
    );
  });
});
