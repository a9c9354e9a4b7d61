import type { Ring } from '../cluster/ring.ts';
import { serializeRingDocument } from '../cluster/ring-document.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';

/** How a ring is sent to another node's admin port (`PUT /v1/ring`); fetch in production. */
export type RingSend = (url: string, body: string) => Promise<{ status: number }>;

/**
 * Hands our ring to a node that refused a migration call because its ring is older: without it,
 * that node would learn the ring only when its ConfigMap volume catches up (up to a minute or
 * so), and the shard's keys would wait that long. The node applies the usual acceptance rule, so
 * this can only move it forward. Best effort, at most once per node and epoch per second.
 */
export class RingPusher {
  readonly #send: RingSend;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #last = new Map<string, number>();

  constructor(options: { send: RingSend; clock: Clock; logger: Logger }) {
    this.#send = options.send;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  push(ring: Ring, adminAddress: string): void {
    const now = this.#clock.monotonic();
    const key = `${adminAddress}@${ring.epoch}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last < 1000) return;
    this.#last.set(key, now);
    if (this.#last.size > 1024) this.#last.clear();
    this.#send(`http://${adminAddress}/v1/ring`, serializeRingDocument(ring)).then(
      ({ status }) =>
        this.#logger.debug('ring pushed', { to: adminAddress, status, epoch: ring.epoch }),
      (error: unknown) => this.#logger.debug('ring push failed', { to: adminAddress, error }),
    );
  }
}

/** RingSend over the global fetch. */
export const fetchRingSend: RingSend = async (url, body) => {
  const response = await fetch(url, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(2000),
  });
  await response.arrayBuffer();
  return { status: response.status };
};
