import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { messageOf, PersistenceError } from './errors.ts';

/**
 * The data directory's layout:
 *
 *   <dir>/MLCACHE_FORMAT   "mlcache-format <version>": says the directory is ours, and how to read it
 *   <dir>/rocksdb/         the RocksDB database
 *
 * The marker is checked before RocksDB touches anything, so pointing --data-dir at the wrong
 * directory, or at data of another format version, stops the node with an error and changes no
 * file. Nothing here ever deletes data.
 */
export const FORMAT_FILE = 'MLCACHE_FORMAT';
export const FORMAT_VERSION = 1;
export const DB_DIR = 'rocksdb';

const FORMAT_TEMP = `${FORMAT_FILE}.tmp`;
/** Entries that may sit in an otherwise empty directory (a fresh volume's root has lost+found). */
const IGNORED = new Set(['lost+found', FORMAT_TEMP]);

/** Where the database is and whether it is to be created. */
export interface DataDirLayout {
  readonly dbPath: string;
  /** True when there is no database yet (RocksDB may create one). */
  readonly create: boolean;
}

/**
 * Checks (and for an empty or missing directory, initialises) a data directory. Throws
 * PERSIST_E_FORMAT for a non-empty directory without a readable marker and PERSIST_E_VERSION for
 * another format version.
 */
export async function prepareDataDir(dir: string): Promise<DataDirLayout> {
  const dbPath = join(dir, DB_DIR);
  const names = await io(dir, async () => {
    await mkdir(dir, { recursive: true });
    return readdir(dir);
  });
  if (!names.includes(FORMAT_FILE)) {
    const foreign = names.filter((name) => !IGNORED.has(name));
    if (foreign.length > 0) {
      throw new PersistenceError(
        'PERSIST_E_FORMAT',
        `${dir} is not empty and has no ${FORMAT_FILE} marker, so it is not an mlcache data directory ` +
          `(found ${describeNames(foreign)}). mlcache changed nothing in it. Point --data-dir at an ` +
          `empty directory or at one an mlcache node created.`,
      );
    }
    await io(dir, () => writeMarker(dir));
    return { dbPath, create: true };
  }
  const marker = await io(dir, () => readFile(join(dir, FORMAT_FILE), 'latin1'));
  const version = parseMarker(marker);
  if (version === undefined) {
    throw new PersistenceError(
      'PERSIST_E_FORMAT',
      `${join(dir, FORMAT_FILE)} is unreadable (expected "mlcache-format ${FORMAT_VERSION}"). ` +
        `mlcache changed nothing; restore the file or move the directory away to start empty.`,
    );
  }
  if (version !== FORMAT_VERSION) {
    throw new PersistenceError(
      'PERSIST_E_VERSION',
      `${dir} holds mlcache data in format version ${version}, and this build reads version ` +
        `${FORMAT_VERSION}. mlcache changed nothing; run a build that reads version ${version}, or ` +
        `move the directory away to start with an empty cache.`,
    );
  }
  const dbNames = await io(dir, () => readdir(dbPath).catch(ifMissing([] as string[])));
  // A marker without a database is a node that stopped between the two steps of creating the
  // directory (or someone removed rocksdb/ to reset the cache): both mean "start empty". A
  // non-empty rocksdb/ is never re-created; RocksDB itself reports what is wrong with it.
  return { dbPath, create: dbNames.length === 0 };
}

/** The version in a marker file, or undefined when it is not one. */
export function parseMarker(text: string): number | undefined {
  const match = /^mlcache-format (\d+)\r?$/.exec(text.split('\n', 1)[0] ?? '');
  return match ? Number(match[1]) : undefined;
}

async function writeMarker(dir: string): Promise<void> {
  // Written to a temporary file and renamed, with fsyncs, so the marker is either absent or whole.
  const temp = join(dir, FORMAT_TEMP);
  await rm(temp, { force: true });
  const file = await open(temp, 'w');
  try {
    await file.writeFile(
      `mlcache-format ${FORMAT_VERSION}\n` +
        `# This directory holds an mlcache node's data (${DB_DIR}/ is a RocksDB database).\n` +
        `# See docs/persistence.md before moving, copying or deleting anything here.\n`,
    );
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, FORMAT_FILE));
  const parent = await open(dir, 'r');
  try {
    await parent.sync();
  } finally {
    await parent.close();
  }
}

async function io<T>(dir: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new PersistenceError(
      'PERSIST_E_OPEN',
      `cannot use data directory ${dir}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

function ifMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return fallback;
    throw error;
  };
}

function describeNames(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((name) => JSON.stringify(name));
  return names.length > 3 ? `${shown.join(', ')} and ${names.length - 3} more` : shown.join(', ');
}
