import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { createLogger } from './logger.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
  const lines: string[] = [];
  const logger = createLogger({
    clock: new ManualClock(0),
    write: (line) => lines.push(line),
    ...(level ? { level } : {}),
  });
  return {
    logger,
    lines,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { logger, lines, parsed } = capture();
    logger.info('started', { port: 6379 });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"started","port":6379}\n',
    ]);
    expect(parsed()[0]).toMatchObject({ port: 6379 });
  });

  it('drops lines below the level, info by default', () => {
    const { logger, parsed } = capture();
    logger.debug('hidden');
    logger.warn('shown');
    expect(parsed().map((line) => line.msg)).toEqual(['shown']);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('adds child fields and expands errors', () => {
    const { logger, parsed } = capture('debug');
    const error = Object.assign(new Error('boom'), { code: 'E_X' });
    logger.child({ component: 'grpc' }).error('failed', { error });
    const line = parsed()[0]!;
    expect(line).toMatchObject({ component: 'grpc', error: { message: 'boom', code: 'E_X' } });
    expect((line.error as { stack: string }).stack).toContain('boom');
  });
});
