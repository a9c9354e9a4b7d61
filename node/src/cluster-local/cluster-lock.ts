import { open, readFile, rm } from 'node:fs/promises';
import type { ClusterLayout } from './layout.ts';

/**
 * One command at a time changes a cluster: two `scale` commands racing would each plan from the
 * same ring and publish two different rings with the same epoch, which every node refuses. The
 * lock is a file created exclusively, holding the owner's pid; a lock whose owner is dead (a
 * command killed mid-way) is taken over.
 */
export type LockResult =
  | { readonly ok: true; readonly release: () => Promise<void> }
  | { readonly ok: false; readonly holder: number };

export async function acquireClusterLock(layout: ClusterLayout): Promise<LockResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(layout.lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { ok: true, release: () => rm(layout.lockFile, { force: true }) };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(layout.lockFile, 'utf8').catch(() => ''), 10);
    const held = Number.isSafeInteger(holder) && holder !== process.pid && exists(holder);
    if (held || attempt > 0) return { ok: false, holder };
    await rm(layout.lockFile, { force: true });
  }
}

/** The holder is the mlcache CLI, or a test or benchmark driving the library: any process. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
