/** What the progress bar writes to: a stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms and only when stderr is a
 * terminal (a log file or a CI pipe gets nothing). Without a known total it shows the count and
 * the rate only.
 */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  #label = '';
  #total: number | undefined;
  #started = 0;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: ProgressStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
  }

  /** Starts a new phase (`counting lirs_ps`, `lirs_ps`), with its total when known. */
  start(label: string, total?: number): void {
    this.#label = label;
    this.#total = total;
    this.#started = performance.now();
    this.#lastDraw = 0;
  }

  update(done: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done !== this.#total) return;
    this.#lastDraw = now;
    const rate = done / Math.max(1e-3, (now - this.#started) / 1000);
    const counts = `${formatCount(done)}${this.#total === undefined ? '' : `/${formatCount(this.#total)}`} req, ${formatCount(rate)} req/s`;
    const width = Math.max(
      10,
      Math.min(30, (this.#stream.columns ?? 80) - counts.length - this.#label.length - 12),
    );
    const bar =
      this.#total === undefined
        ? ''
        : (() => {
            const fraction = Math.min(1, done / Math.max(1, this.#total));
            const filled = Math.round(fraction * width);
            return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
          })();
    this.#stream.write(`\r\x1b[2K${this.#label} ${bar}${counts}`);
    this.#drawn = true;
  }

  /** Clears the line, so that the table or an error starts on a clean line. */
  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}
