import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../util/logger.ts';

export interface RingFileWatcherOptions {
  readonly path: string;
  /** Called with the file's text whenever it differs from the last text read. */
  readonly onText: (text: string) => void;
  readonly logger: Logger;
  /** The fallback poll. @default 1000 */
  readonly pollMs?: number;
}

/**
 * Follows the ring file (--ring). A ConfigMap volume updates by swapping a `..data` symlink in
 * the file's directory, which replaces the file without writing to it, so the directory is
 * watched rather than the file; fs.watch may also miss events (network file systems, some
 * container runtimes), so the file is polled as well. Either way the file is read again and
 * handed over only when its text changed. A missing or unreadable file is logged once per error
 * and retried at the next poll.
 */
export class RingFileWatcher {
  readonly #options: RingFileWatcherOptions;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #lastError: string | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: RingFileWatcherOptions) {
    this.#options = options;
  }

  /** Reads the file once now (start-up), then watches and polls it. */
  async start(): Promise<void> {
    await this.read();
    if (this.#closed) return;
    const { path, logger } = this.#options;
    try {
      // Any change in the directory may be ours: a ConfigMap swap renames `..data`, not the file.
      this.#watcher = watch(dirname(path), { persistent: false }, () => this.#soon());
      this.#watcher.on('error', (error) =>
        logger.warn('ring file watch failed; polling', { error }),
      );
    } catch (error) {
      logger.warn('cannot watch the ring file directory; polling only', { path, error });
    }
    this.#timer = setInterval(() => void this.read(), this.#options.pollMs ?? 1000);
    this.#timer.unref();
  }

  /** Reads the file and hands its text over if it changed; reads queue up, never overlap. */
  read(): Promise<void> {
    if (this.#reading !== undefined) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = this.#readOnce().finally(() => {
      this.#reading = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.read();
      }
    });
    return this.#reading;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#timer);
    clearTimeout(this.#debounce);
  }

  #soon(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.read(), 20);
    this.#debounce.unref();
  }

  async #readOnce(): Promise<void> {
    const { path, onText, logger } = this.#options;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const described = typeof code === 'string' ? code : String(error);
      if (described !== this.#lastError) logger.warn('cannot read the ring file', { path, error });
      this.#lastError = described;
      return;
    }
    this.#lastError = undefined;
    if (text === this.#last || this.#closed) return;
    this.#last = text;
    onText(text);
  }
}
