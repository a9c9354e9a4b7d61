import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../util/logger.ts';
import type { RingHolder } from './ring-holder.ts';

export interface RingFileOptions {
  readonly path: string;
  readonly holder: RingHolder;
  /** Re-read the file this often as well, in ms; 0 relies on the watch alone. */
  readonly pollMs: number;
  readonly logger: Logger;
  /** Reads the file (tests inject failures). @default fs.promises.readFile as UTF-8 */
  readonly read?: (path: string) => Promise<string>;
}

/** Events closer together than this are read once. */
const DEBOUNCE_MS = 25;
/** MOVED-driven refreshes closer together than this reuse the last read. */
const MIN_REFRESH_MS = 50;

/**
 * The ring document as a file, kept current. A Kubernetes ConfigMap volume updates by writing a
 * new directory and swapping a `..data` symlink, so the file is never rewritten in place: the
 * directory is watched (any event re-reads the file), and a periodic re-read covers watchers that
 * miss events (network file systems, some container runtimes). A text already offered is not
 * offered again, so an unchanged or unchanged-but-refused file is quiet.
 */
export class RingFile {
  readonly #options: RingFileOptions;
  readonly #read: (path: string) => Promise<string>;
  #lastText: string | undefined;
  #inFlight: Promise<void> | undefined;
  #delayed: Promise<void> | undefined;
  #lastReadAt = -Infinity;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;

  constructor(options: RingFileOptions) {
    this.#options = options;
    this.#read = options.read ?? ((path) => readFile(path, 'utf8'));
  }

  /** Reads the file now (at start). Never rejects: problems are logged and counted. */
  load(): Promise<void> {
    return this.#readOnce();
  }

  /** Starts watching and polling. */
  start(): void {
    const { path, pollMs, logger } = this.#options;
    try {
      this.#watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        // ConfigMap swaps touch `..data` and temporary names, not the file itself: any change counts.
        if (name !== null && name !== basename(path) && !name.startsWith('..')) return;
        this.#schedule();
      });
      this.#watcher.on('error', (error) =>
        logger.warn('ring directory watch failed', { path, error }),
      );
    } catch (error) {
      logger.warn('cannot watch the ring directory; polling only', { path, error });
    }
    if (pollMs > 0) {
      this.#poll = setInterval(() => void this.#readOnce(), pollMs);
      this.#poll.unref();
    }
  }

  /**
   * Re-reads the file (after a MOVED). Refreshes are coalesced, and spaced at least
   * MIN_REFRESH_MS apart, so that a burst of MOVED replies costs a few reads, not one per reply.
   * Never rejects.
   */
  refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const wait = MIN_REFRESH_MS - (performance.now() - this.#lastReadAt);
    if (wait <= 0) return this.#readOnce();
    this.#delayed ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        this.#delayed = undefined;
        void this.#readOnce().then(resolve);
      }, wait).unref();
    });
    return this.#delayed;
  }

  close(): void {
    this.#watcher?.close();
    if (this.#poll !== undefined) clearInterval(this.#poll);
    if (this.#debounce !== undefined) clearTimeout(this.#debounce);
  }

  #schedule(): void {
    if (this.#debounce !== undefined) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.#readOnce();
    }, DEBOUNCE_MS);
    this.#debounce.unref();
  }

  #readOnce(): Promise<void> {
    this.#inFlight ??= this.#readAndOffer().finally(() => {
      this.#inFlight = undefined;
      this.#lastReadAt = performance.now();
    });
    return this.#inFlight;
  }

  async #readAndOffer(): Promise<void> {
    const { path, holder } = this.#options;
    let text: string;
    try {
      text = await this.#read(path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const marker = `\0unreadable:${String(code)}`;
      if (this.#lastText === marker) return;
      this.#lastText = marker;
      holder.unreadable(
        path,
        `cannot read '${path}'${typeof code === 'string' ? ` (${code})` : ''}`,
      );
      return;
    }
    if (text === this.#lastText) return;
    this.#lastText = text;
    holder.offerText(text, path);
  }
}
