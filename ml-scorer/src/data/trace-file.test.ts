import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { collect } from './test-chunks.ts';
import { detectFormat, openTrace, traceName } from './trace-file.ts';
import { TraceFormatError } from './trace-error.ts';

describe('detectFormat and traceName', () => {
  it.each([
    ['x/lcs_cloudPhysicsIO.csv.zst', 'csv', 'lcs_cloudPhysicsIO'],
    ['a.csv', 'csv', 'a'],
    ['a.CSV.gz', 'csv', 'a'],
    ['cloudPhysicsIO.oracleGeneral.bin', 'oracleGeneral', 'cloudPhysicsIO'],
    ['w.oracleGeneral.zst', 'oracleGeneral', 'w'],
    ['arc_OLTP.lis.zst', 'arc', 'arc_OLTP'],
    ['sprite.trace.gz', 'lirs', 'sprite'],
    ['ps.lirs', 'lirs', 'ps'],
    ['notes.txt', undefined, 'notes.txt'],
  ])('%s', (path, format, name) => {
    expect(detectFormat(path)).toBe(format);
    expect(traceName(path)).toBe(name);
  });
});

describe('openTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const csv = 'timestamp,key,size\n0,1,10\n1,2,20\n2,1,10\n';

  it.each([
    ['plain.csv', (b: Buffer) => b],
    ['z.csv.zst', (b: Buffer) => zstdCompressSync(b)],
    ['g.csv.gz', (b: Buffer) => gzipSync(b)],
  ])('undoes compression by extension: %s', async (name, compress) => {
    const path = join(dir, name);
    writeFileSync(path, compress(Buffer.from(csv)));
    const trace = openTrace(path);
    expect(trace.format).toBe('csv');
    expect((await collect(trace.batches)).keys).toEqual([1, 2, 1]);
    expect(trace.progress().bytesRead).toBe(trace.progress().totalBytes);
  });

  it('honours an explicit format over the extension', async () => {
    const path = join(dir, 'blocks.txt');
    writeFileSync(path, '4\n5\n');
    expect((await collect(openTrace(path, { format: 'lirs' }).batches)).keys).toEqual([4, 5]);
  });

  it('asks for --format when the name does not tell', () => {
    const path = join(dir, 'mystery.dat');
    writeFileSync(path, '');
    expect(() => openTrace(path)).toThrow(TraceFormatError);
    expect(() => openTrace(path)).toThrow(/--format/);
  });
});
