/** Reading a process's Prometheus text (/metrics on its admin port), and waiting for a value. */
import type { RunningNode } from '../start-node.ts';

/** The Prometheus text of `node`'s /metrics. */
export async function scrapeMetrics(node: RunningNode): Promise<string> {
  return (await fetch(`http://127.0.0.1:${node.listening.admin}/metrics`)).text();
}

/**
 * The value of the first series `name{…labels…}` (or `name` without labels) whose labels include
 * all of `labels`; NaN if none.
 */
export function series(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) && wanted.length === 0) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (wanted.every(([k, v]) => body.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return Number.NaN;
}

/** Polls `read` every 100 ms until `done` holds (up to `ms`); returns the last value read. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
