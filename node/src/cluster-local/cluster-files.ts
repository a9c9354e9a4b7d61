import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Ring } from '../cluster/ring.ts';
import { parseRingDocument, serializeRingDocument } from '../cluster/ring-document.ts';
import { parseClusterState, serializeClusterState } from './cluster-state.ts';
import type { ClusterState } from './cluster-state.ts';
import type { ClusterLayout } from './layout.ts';

/**
 * Reading and writing the cluster's two documents. Both are replaced atomically (a temporary
 * file in the same directory, flushed, then renamed over the old one), the way a ConfigMap volume
 * swaps its content: a process that watches the ring never reads half a document. The temporary
 * name starts with a dot, so watchers that filter by file name ignore it until the rename.
 */

/** What a read found: the document, nothing, or a file that cannot be used (with why). */
export type ReadResult<T> =
  | { readonly kind: 'found'; readonly value: T }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] };

export async function readClusterState(layout: ClusterLayout): Promise<ReadResult<ClusterState>> {
  const text = await readIfExists(layout.stateFile);
  if (text === undefined) return { kind: 'missing' };
  const parsed = parseClusterState(text);
  return parsed.ok
    ? { kind: 'found', value: parsed.state }
    : { kind: 'invalid', problems: parsed.problems.map((p) => `${layout.stateFile}: ${p}`) };
}

export function writeClusterState(layout: ClusterLayout, state: ClusterState): Promise<void> {
  return writeAtomically(layout.stateFile, serializeClusterState(state));
}

export async function removeClusterState(layout: ClusterLayout): Promise<void> {
  await rm(layout.stateFile, { force: true });
}

export async function readRingFile(layout: ClusterLayout): Promise<ReadResult<Ring>> {
  const text = await readIfExists(layout.ringFile);
  if (text === undefined) return { kind: 'missing' };
  const parsed = parseRingDocument(text);
  return parsed.ok
    ? { kind: 'found', value: parsed.ring }
    : { kind: 'invalid', problems: parsed.problems.map((p) => `${layout.ringFile}: ${p}`) };
}

export function writeRingFile(layout: ClusterLayout, ring: Ring): Promise<void> {
  return writeAtomically(layout.ringFile, serializeRingDocument(ring));
}

/** Replaces `path` with `text` in one rename. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}
