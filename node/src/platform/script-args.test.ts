import { describe, expect, it } from 'vitest';
import { parseScriptArgs } from './script-args.ts';
import type { ScriptIo } from './script-args.ts';

class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

function io(): ScriptIo & { written: string[] } {
  const written: string[] = [];
  return {
    name: 'ml-eval.ts',
    written,
    stderr: { write: (text: string) => written.push(text) },
    exit: (code) => {
      throw new Exit(code);
    },
  };
}

describe('parseScriptArgs', () => {
  const options = { rounds: { type: 'string', default: '3' } } as const;

  it('parses like parseArgs', () => {
    const { values } = parseScriptArgs({ args: ['--rounds', '5'], options }, io());
    expect(values.rounds).toBe('5');
  });

  it('ends an unknown option or a missing value with the message and status 2, no stack', () => {
    for (const args of [['--bogus'], ['--rounds']]) {
      const out = io();
      expect(() => parseScriptArgs({ args, options }, out)).toThrow(new Exit(2));
      expect(out.written.join('')).toMatch(/^ml-eval\.ts: .*(--bogus|--rounds)/);
    }
  });
});
