import express from 'express';
import type { Express, Response } from 'express';
import { errorBody } from './http-errors.ts';
import type { AdminErrorCode } from './http-errors.ts';

/** The outcome of offering a ring (the cluster runtime's RingOffer, structurally). */
export type RingOfferResult =
  | { readonly outcome: 'applied' | 'same'; readonly epoch: number }
  | { readonly outcome: 'rejected'; readonly reason: string; readonly problems: readonly string[] };

/**
 * What the admin port asks a cluster node (structural: the cluster runtime implements it, the
 * admin app does not import it). A standalone node has none, and these routes answer
 * ADMIN_E_NOT_CLUSTERED.
 */
export interface ClusterAdmin {
  /** The current ring's canonical document, or undefined before the first one. */
  ringDocument(): string | undefined;
  offerRing(text: string): RingOfferResult;
  /** The body of GET /v1/migrations. */
  migrations(): unknown;
  /** The body of GET /v1/load. */
  load(): unknown;
}

/** Rings are a few hundred KB at most (4096 shards, overrides, migrations). */
const RING_BODY_LIMIT = '8mb';

/**
 * The cluster routes of the admin port:
 * - `GET /v1/ring`: the node's ring (canonical JSON), 404 ADMIN_E_NO_RING before the first;
 * - `PUT /v1/ring`: offers a ring document (the body), applied under the same rules as the
 *   --ring file: 200 `{outcome: applied|same, epoch}`, 400 ADMIN_E_RING_INVALID for a malformed
 *   document, 409 ADMIN_E_RING_REFUSED for a stale or conflicting one, with the problems listed;
 * - `GET /v1/migrations`: incoming migrations and their progress (docs/cluster.md);
 * - `GET /v1/load`: per-shard request rates and hot keys.
 */
export function addClusterRoutes(app: Express, cluster: ClusterAdmin | undefined): void {
  const notClustered = (res: Response): void => {
    res.status(404).json(errorBody('ADMIN_E_NOT_CLUSTERED', 'the node runs without --ring'));
  };

  app.get('/v1/ring', (_req, res) => {
    if (cluster === undefined) return notClustered(res);
    const text = cluster.ringDocument();
    if (text === undefined) {
      res.status(404).json(errorBody('ADMIN_E_NO_RING'));
      return;
    }
    res.type('application/json').send(text);
  });

  app.put('/v1/ring', express.text({ type: () => true, limit: RING_BODY_LIMIT }), (req, res) => {
    if (cluster === undefined) return notClustered(res);
    const body: unknown = req.body;
    const offer = cluster.offerRing(typeof body === 'string' ? body : '');
    if (offer.outcome !== 'rejected') {
      res.json(offer);
      return;
    }
    const code: AdminErrorCode =
      offer.reason === 'malformed' ? 'ADMIN_E_RING_INVALID' : 'ADMIN_E_RING_REFUSED';
    res.status(code === 'ADMIN_E_RING_INVALID' ? 400 : 409).json({
      ...errorBody(code, offer.reason),
      reason: offer.reason,
      problems: offer.problems,
    });
  });

  app.get('/v1/migrations', (_req, res) => {
    if (cluster === undefined) return notClustered(res);
    res.json(cluster.migrations());
  });

  app.get('/v1/load', (_req, res) => {
    if (cluster === undefined) return notClustered(res);
    res.json(cluster.load());
  });
}
