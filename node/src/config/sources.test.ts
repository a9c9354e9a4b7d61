import { describe, expect, it } from 'vitest';
import { readArgv, readConfigFile, readEnv } from './sources.ts';

describe('readArgv', () => {
  it('takes the last of repeated flags and refuses a flag as a value', () => {
    const source = readArgv(['--port', '1', '--port', '2', '--data-dir', '--policy', 'lfu']);
    expect(source.values.get('port')?.text).toBe('2');
    expect(source.values.get('policy')?.text).toBe('lfu');
    expect(source.problems).toEqual(['--data-dir: needs a value']);
  });

  it('keeps values that start with dashes in the = form, and the empty value', () => {
    const source = readArgv(['--requirepass=--odd', '--data-dir=']);
    expect(source.values.get('requirepass')?.text).toBe('--odd');
    expect(source.values.get('dataDir')?.text).toBe('');
  });

  it('refuses positional arguments', () => {
    expect(readArgv(['6379']).problems).toEqual([
      "'6379': unexpected argument (options start with --)",
    ]);
  });
});

describe('readEnv', () => {
  it('reads MLCACHE_ variables named after the flags and ignores the rest', () => {
    const source = readEnv({ MLCACHE_MAX_VALUE_SIZE: '1mb', MLCACHE_NOPE: 'x', HOME: '/root' });
    expect([...source.values.keys()]).toEqual(['maxValueSize']);
    expect(source.values.get('maxValueSize')).toEqual({
      text: '1mb',
      origin: ' (from MLCACHE_MAX_VALUE_SIZE)',
    });
  });
});

describe('readConfigFile', () => {
  it('reads redis.conf-style lines with comments, case-insensitive keys and quotes', () => {
    const source = readConfigFile(
      '# node\n\n  MaxMemory   1gib  \r\nrequirepass "two words"\ndata-dir ""\n',
      'n.conf',
    );
    expect(source.problems).toEqual([]);
    expect(source.values.get('maxMemory')).toEqual({ text: '1gib', origin: ' (from n.conf:3)' });
    expect(source.values.get('requirepass')?.text).toBe('two words');
    expect(source.values.get('dataDir')?.text).toBe('');
  });

  it('reports unknown keys, the file key itself and unbalanced quotes with line numbers', () => {
    const source = readConfigFile('save 60 1\nconfig other.conf\nrequirepass "open\n', 'n.conf');
    expect(source.problems).toEqual([
      'save: unknown config file key (from n.conf:1)',
      'config: unknown config file key (from n.conf:2)',
      '--requirepass: unbalanced quotes (from n.conf:3)',
    ]);
  });
});
