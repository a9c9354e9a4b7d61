/**
 * The model the scorer serves, and the versions it has served: installing a model gives it the
 * next version (1, 2, …; 0 is "none yet") and tells every watcher. A replaced model's native
 * session is freed only once the Score calls still running on it have finished, so a swap never
 * pulls a session from under a call.
 */

/** Where an installed model came from (ModelUpdate.source). */
export type ModelSource = 'file' | 'trained';

/** What the slot needs of a loaded model: OnnxScorer is one. */
export interface LoadedModel {
  score(rows: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** An installed model, as WatchModel and Status describe it. */
export interface InstalledModel {
  readonly version: number;
  /** The exact ONNX bytes that are served. */
  readonly onnx: Uint8Array;
  readonly installedAtMs: number;
  readonly trainingRows: number;
  readonly source: ModelSource;
}

interface Entry extends InstalledModel {
  readonly model: LoadedModel;
  inflight: number;
  retired: boolean;
}

export type ModelListener = (model: InstalledModel) => void;

export class ModelSlot {
  readonly #listeners = new Set<ModelListener>();
  readonly #onCloseError: (error: unknown) => void;
  #current: Entry | null = null;
  #version = 0;

  /** `onCloseError` hears about a retired session that failed to close (logged by the caller). */
  constructor(onCloseError: (error: unknown) => void = () => {}) {
    this.#onCloseError = onCloseError;
  }

  /** The model served now, or null. */
  get current(): InstalledModel | null {
    return this.#current;
  }

  /** The current version; 0 without a model. */
  get version(): number {
    return this.#current?.version ?? 0;
  }

  /** The current model's own handle, to score validation rows with (null without one). */
  get model(): LoadedModel | null {
    return this.#current?.model ?? null;
  }

  /** Makes `model` the served one with the next version, retires the previous, tells watchers. */
  install(model: LoadedModel, info: Omit<InstalledModel, 'version'>): InstalledModel {
    const entry: Entry = { ...info, version: ++this.#version, model, inflight: 0, retired: false };
    const previous = this.#current;
    this.#current = entry;
    if (previous !== null) this.#retire(previous);
    const published: InstalledModel = {
      version: entry.version,
      onnx: entry.onnx,
      installedAtMs: entry.installedAtMs,
      trainingRows: entry.trainingRows,
      source: entry.source,
    };
    for (const listener of this.#listeners) listener(published);
    return published;
  }

  /** Scores with the current model; `scores` is null when there is none (version 0). */
  async score(
    rows: Float32Array,
    n: number,
  ): Promise<{ scores: Float32Array | null; version: number }> {
    const entry = this.#current;
    if (entry === null) return { scores: null, version: 0 };
    entry.inflight++;
    try {
      return { scores: await entry.model.score(rows, n), version: entry.version };
    } finally {
      entry.inflight--;
      if (entry.retired && entry.inflight === 0) this.#release(entry);
    }
  }

  /** Calls `listener` for every model installed from now on; returns the unsubscriber. */
  subscribe(listener: ModelListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Frees the current session (the slot is empty afterwards). */
  close(): void {
    const entry = this.#current;
    this.#current = null;
    this.#listeners.clear();
    if (entry !== null) this.#retire(entry);
  }

  #retire(entry: Entry): void {
    entry.retired = true;
    if (entry.inflight === 0) this.#release(entry);
  }

  #release(entry: Entry): void {
    entry.model.close().catch(this.#onCloseError);
  }
}
