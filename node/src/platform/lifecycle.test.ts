import { describe, expect, it } from 'vitest';
import { grpcTarget } from './grpc-server.ts';
import { describeError, formatConfigProblems } from './lifecycle.ts';

describe('formatConfigProblems', () => {
  it('names the command and indents each problem', () => {
    expect(formatConfigProblems('gateway', ['--a: bad', '--b: worse'])).toBe(
      'mlcache gateway: invalid configuration:\n  --a: bad\n  --b: worse',
    );
  });
});

describe('describeError', () => {
  const inUse = Object.assign(new Error('listen failed', { cause: new Error('busy') }), {
    code: 'EADDRINUSE',
  });

  it('adds a Node code the message does not name', () => {
    expect(describeError(inUse)).toBe('listen failed (EADDRINUSE)');
    expect(describeError(Object.assign(new Error('EACCES: no'), { code: 'EACCES' }))).toBe(
      'EACCES: no',
    );
    expect(describeError('plain')).toBe('plain');
  });

  it('adds the cause when asked', () => {
    expect(describeError(inUse, { withCause: true })).toBe('listen failed (EADDRINUSE) (busy)');
  });
});

describe('grpcTarget', () => {
  it('brackets IPv6 addresses only', () => {
    expect(grpcTarget('::1', 7)).toBe('[::1]:7');
    expect(grpcTarget('[::1]', 7)).toBe('[::1]:7');
    expect(grpcTarget('127.0.0.1', 7)).toBe('127.0.0.1:7');
  });
});
