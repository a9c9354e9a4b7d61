/**
 * Whether the node should receive traffic: not while it reloads its data at start, and not while
 * it shuts down (so that the Service stops routing to it before its connections close).
 */
export type ReadinessState = 'starting' | 'ready' | 'stopping';

export class Readiness {
  #state: ReadinessState = 'starting';

  get state(): ReadinessState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** The start-up reload is done and every listener is up. */
  markReady(): void {
    // A shutdown that began during start-up must not be undone.
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /** Shutdown began; stays so until the process exits. */
  markStopping(): void {
    this.#state = 'stopping';
  }
}
