import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DB_DIR, FORMAT_FILE, parseMarker, prepareDataDir } from './layout.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlcache-layout-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepareDataDir', () => {
  it('initialises a missing directory with the marker', async () => {
    const dir = join(root, 'a', 'b');
    const layout = await prepareDataDir(dir);
    expect(layout).toEqual({ dbPath: join(dir, DB_DIR), create: true });
    expect(parseMarker(await readFile(join(dir, FORMAT_FILE), 'latin1'))).toBe(1);
    expect(await readdir(dir)).toEqual([FORMAT_FILE]);
  });

  it('accepts an empty volume root (lost+found) and a leftover temporary marker', async () => {
    await mkdir(join(root, 'lost+found'));
    await writeFile(join(root, `${FORMAT_FILE}.tmp`), 'half');
    await expect(prepareDataDir(root)).resolves.toMatchObject({ create: true });
  });

  it('opens an existing database without creating one', async () => {
    await prepareDataDir(root);
    await mkdir(join(root, DB_DIR));
    await writeFile(join(root, DB_DIR, 'CURRENT'), 'MANIFEST-000001\n');
    await expect(prepareDataDir(root)).resolves.toMatchObject({ create: false });
  });

  it('refuses a non-empty directory without a marker and changes nothing', async () => {
    await writeFile(join(root, 'notes.txt'), 'mine');
    const failure = prepareDataDir(root);
    await expect(failure).rejects.toMatchObject({ code: 'PERSIST_E_FORMAT' });
    await expect(failure).rejects.toThrow(root);
    expect(await readdir(root)).toEqual(['notes.txt']);
  });

  it('refuses another format version', async () => {
    await writeFile(join(root, FORMAT_FILE), 'mlcache-format 2\n');
    const failure = prepareDataDir(root);
    await expect(failure).rejects.toMatchObject({ code: 'PERSIST_E_VERSION' });
    await expect(failure).rejects.toThrow(/version 2.*version 1/);
  });

  it('refuses an unreadable marker', async () => {
    await writeFile(join(root, FORMAT_FILE), 'garbage');
    await expect(prepareDataDir(root)).rejects.toMatchObject({ code: 'PERSIST_E_FORMAT' });
  });
});
