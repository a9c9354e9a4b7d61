import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { RingNode } from '../cluster/ring.ts';
import { ReplyWriter } from '../protocol/resp/reply-writer.ts';
import { CommandStats } from '../server/resp/command-stats.ts';
import type { ServerContext } from '../server/resp/server-context.ts';
import type { Session } from '../server/resp/session.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import { createGatewayAdminApp } from './admin/gateway-admin-app.ts';
import { createGatewayCommands } from './commands/gateway-command-table.ts';
import { TurnEnd } from '../server/turn-end.ts';
import type { GatewayContext, GatewayCounters } from './front/gateway-context.ts';
import { createGatewayListener } from './front/gateway-listener.ts';
import { NO_KEYSPACE } from './front/no-keyspace.ts';
import { createGatewayMetrics } from './metrics/gateway-metrics.ts';
import { Mirrors } from './mirror/mirrors.ts';
import type { MirrorTarget } from './mirror/mirrors.ts';
import type { PoolLatency } from './mirror/pool-latency.ts';
import { NearCache } from './near-cache/near-cache.ts';
import { RingFile } from './ring/ring-file.ts';
import { RingHolder } from './ring/ring-holder.ts';
import { staticRing } from './ring/static-ring.ts';
import { Router } from './routing/router.ts';
import { NodeLink } from './upstream/node-link.ts';
import { NodePool } from './upstream/node-pool.ts';
import { OutBuffer } from './upstream/out-buffer.ts';
import { createRandom } from '../util/random.ts';
import { ScriptBodies } from './routing/script-bodies.ts';
import { KeyspaceNotifier } from '../server/resp/pubsub/keyspace-events.ts';
import { PubSubHub } from '../server/resp/pubsub/pubsub-hub.ts';
import { GatewayPubSub } from './pubsub/gateway-pubsub.ts';
import { PubSubLink } from './pubsub/pubsub-link.ts';
import { ScriptEngine } from '../server/resp/scripting/script-engine.ts';
import { SlowLog } from '../server/resp/slow-log.ts';
import { WatchRegistry } from '../server/resp/transaction.ts';
import { TrackingRegistry } from '../server/resp/tracking/tracking-registry.ts';
import { GatewayInvalidations } from './pubsub/gateway-invalidations.ts';
import { ChangeFeed } from '../server/resp/tracking/change-feed.ts';

/** Everything a gateway is built from; the composition root reads it from flags. */
export interface GatewayOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The prom-client registry the gateway's metrics go to (never the global one). */
  readonly registry: Registry;
  /** Shown in INFO, CLIENT lists and as the `gateway` label of every metric. */
  readonly name: string;
  /** Where the ring comes from: a document file (watched), or a fixed list of node addresses. */
  readonly ring:
    | { readonly file: string; readonly pollMs: number }
    | { readonly nodes: readonly string[] }
    | undefined;
  /** The password clients must give (AUTH); undefined for none. */
  readonly requirePass?: string | undefined;
  /** The password the gateway gives the nodes; undefined when they need none. */
  readonly nodePassword?: string | undefined;
  /** Connections to each node. @default 2 */
  readonly connectionsPerNode?: number;
  /** @default 1000 */
  readonly connectTimeoutMs?: number;
  /** A node that answers nothing for this long while requests wait is reconnected. @default 5000 */
  readonly commandTimeoutMs?: number;
  /** Requests queued per connection while it first connects. @default 1024 */
  readonly maxQueue?: number;
  /** MOVED retries per request. @default 2 */
  readonly maxRedirects?: number;
  /** @default 200 */
  readonly nearCacheTtlMs?: number;
  /** @default 128 */
  readonly nearCacheKeys?: number;
  /**
   * The nodes' changed keys (CLIENT TRACKING BCAST) drop near-cache entries at once, so that
   * writes through other gateways or at the nodes are not served stale for the TTL.
   * @default false
   */
  readonly nearCacheInvalidation?: boolean;
  /** Popularity window of the near cache, in ms (tests shorten it). @default 1000 */
  readonly nearCacheWindowMs?: number;
  /** Commands one client may have waiting for replies. @default 4096 */
  readonly maxInflight?: number;
  /** Reply bytes one client may have waiting in its socket. @default 1 MiB */
  readonly maxPendingOutput?: number;
  /** @default 10000 */
  readonly maxClients?: number;
  /** Longest value a client may send (proto-max-bulk-len). @default 512 MiB */
  readonly maxValueSize?: number;
  /** Bytes of commands one client's MULTI may queue at the gateway. @default 1 GiB */
  readonly maxTransactionBytes?: number;
  /** How long close() lets clients and nodes finish. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** Register prom-client's process metrics too. @default true */
  readonly processMetrics?: boolean;
  /**
   * Mirror mode: nodes that receive a copy of every keyspace request (see mirror/mirrors.ts).
   * It uses one connection per node and turns the near cache off, so that the primary and every
   * mirror see the same requests in the same order. @default none
   */
  readonly mirrors?: readonly MirrorTarget[];
  /** The primary pool's name in mirror metrics and /v1/mirror. @default 'primary' */
  readonly primaryName?: string;
  /** Requests a mirror may have unanswered before clients are paused. @default 1024 */
  readonly mirrorMaxInflight?: number;
}

export interface Gateway {
  /** Loads the ring and starts watching it and the nodes (before or after listen). */
  start(): Promise<void>;
  /** Starts the RESP port. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** The admin HTTP app (the caller listens with it). */
  readonly admin: Express;
  readonly ring: RingHolder;
  readonly router: Router;
  readonly context: GatewayContext;
  /** Mirror mode's state; undefined when off. */
  readonly mirrors: Mirrors | undefined;
  /** Why the gateway should not get traffic yet, or undefined when it is ready. */
  notReady(): string | undefined;
  /** Stops: clients get what they are owed, node connections drain and close. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const WATCHDOG_MS = 250;

/** Builds a gateway. Nothing is shared between two gateways. */
export function createGateway(options: GatewayOptions): Gateway {
  const { clock, logger } = options;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const scheduler = new TurnEnd();
  const out = new OutBuffer();
  const commands = createGatewayCommands();
  let address: AddressInfo | undefined;
  // Clients' subscriptions are held here; the channels they need are subscribed at the nodes.
  // Client-side caching and the near cache hear the nodes' changed keys over the same
  // connections: each listens through a feed of its own.
  const invalidations = new GatewayInvalidations((on) => upstreamPubSub.track(on));
  const changes = new ChangeFeed(invalidations);
  const upstreamPubSub = new GatewayPubSub(
    (node, onMessage, onInvalidate) =>
      new PubSubLink({
        nodeId: node.id,
        address: node.address,
        password: options.nodePassword === '' ? undefined : options.nodePassword,
        connectTimeoutMs: options.connectTimeoutMs ?? 1000,
        backoffMinMs: 100,
        backoffMaxMs: 5000,
        logger: logger.child({ component: 'pubsub-link' }),
        onMessage,
        onInvalidate,
      }),
    (keys) => invalidations.deliver(keys),
  );
  const pubsub = new PubSubHub(upstreamPubSub);
  upstreamPubSub.attach(pubsub);
  const sessions = new Map<number, Session>();
  const server: ServerContext = {
    store: NO_KEYSPACE,
    clock,
    random: createRandom(clock.now()),
    settings: {
      requirePass: options.requirePass === '' ? undefined : options.requirePass,
      nodeName: options.name,
      policyName: 'none',
      maxValueSize: options.maxValueSize ?? 512 * MIB,
      durability: 'none',
      redisVersion: '7.2.0',
      mlcacheVersion: '0.1.0',
      maxClients: options.maxClients ?? 10_000,
      maxTransactionBytes: options.maxTransactionBytes ?? 1024 * MIB,
      // HELLO 3 is accepted: local replies follow Session.resp3 (runLocal sets the writer's
      // flag), forwarded ones come over RESP3 node connections (NodePool).
      resp3: true,
    },
    registry: commands.registry,
    stats: new CommandStats(commands.registry),
    // SLOWLOG is the nodes' (slowlog-route.ts): the gateway's own log stays empty.
    slowLog: new SlowLog(),
    sessions,

    // Nodes hold the watches (gateway-watch.ts): the gateway's own registry stays empty.
    watches: new WatchRegistry(NO_KEYSPACE),
    // The nodes see every change: the gateway's clients track keys through their broadcasts.
    // Its own clients' writes come back like anyone's, so NOLOOP cannot be honoured here.
    tracking: new TrackingRegistry(sessions, changes.consumer(), (run) => scheduler.later(run), {
      noloop: false,
    }),
    pubsub,
    // The nodes raise keyspace notifications; the gateway's own setting stays off.
    keyspaceEvents: new KeyspaceNotifier(NO_KEYSPACE, pubsub),
    // Scripts run on the nodes that hold their keys: the gateway's engine never starts a Lua state.
    scripts: new ScriptEngine({ clock, timeLimitMs: 0, redisVersion: '7.2.0' }),
    startedAt: clock.now(),
    port: () => address?.port ?? 0,
    logger: logger.child({ component: 'resp' }),
  };

  const linkLogger = logger.child({ component: 'node-link' });
  const mirrored = (options.mirrors ?? []).length > 0;
  const size = mirrored ? 1 : (options.connectionsPerNode ?? 2);
  const openLink = (
    nodeId: string,
    address: string,
    resp3: boolean,
    latency: PoolLatency | undefined,
  ): NodeLink =>
    new NodeLink({
      nodeId,
      address,
      password: options.nodePassword === '' ? undefined : options.nodePassword,
      resp3,
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      maxQueue: options.maxQueue ?? 1024,
      backoffMinMs: 100,
      backoffMaxMs: 5000,
      scheduler,
      out,
      clock,
      logger: linkLogger,
      latency,
    });
  const mirrors = mirrored
    ? new Mirrors({
        primaryName: options.primaryName ?? 'primary',
        targets: options.mirrors ?? [],
        maxInflight: options.mirrorMaxInflight ?? 1024,
        openLink: (target, latency) =>
          openLink(`mirror-${target.name}`, target.address, false, latency),
      })
    : undefined;
  const openLinks = (node: RingNode, resp3: boolean): NodeLink[] =>
    Array.from({ length: size }, () =>
      openLink(node.id, node.address, resp3, mirrors?.primaryLatency),
    );
  // RESP3 connections open with the first RESP3 client: RESP2-only traffic never pays for them.
  // A watching client borrows one of its own (gateway-watch.ts).
  const openPool = (node: RingNode): NodePool =>
    new NodePool(
      node.id,
      node.address,
      openLinks(node, false),
      () => openLinks(node, true),
      (resp3) => openLink(node.id, node.address, resp3, mirrors?.primaryLatency),
    );
  const router = new Router({ openPool, closeGraceMs: closeTimeoutMs, logger });
  const ring = new RingHolder(
    (next) => {
      router.apply(next);
      upstreamPubSub.applyRing(next);
    },
    logger.child({ component: 'ring' }),
  );
  const source = options.ring;
  const ringFile =
    source !== undefined && 'file' in source
      ? new RingFile({ path: source.file, holder: ring, pollMs: source.pollMs, logger })
      : undefined;

  const counters: GatewayCounters = {
    movedRetries: 0,
    movedGivenUp: 0,
    fanOuts: 0,
    scriptReloads: 0,
  };
  const nearCache = new NearCache({
    // A GET answered by the gateway would reach the mirrors but not the primary.
    ttlMs: mirrored ? 0 : (options.nearCacheTtlMs ?? 200),
    maxKeys: options.nearCacheKeys ?? 128,
    ...(options.nearCacheWindowMs === undefined ? {} : { windowMs: options.nearCacheWindowMs }),
  });
  if (options.nearCacheInvalidation === true && nearCache.enabled) {
    changes
      .consumer()
      .observeChanges((key) => (key === undefined ? nearCache.clear() : nearCache.invalidate(key)));
  }
  const context: GatewayContext = {
    server,
    commands,
    router,
    nearCache,
    scheduler,
    out,
    writer: new ReplyWriter(),
    clock,
    logger,
    counters,
    limits: {
      maxInflight: options.maxInflight ?? 4096,
      maxPendingOutput: options.maxPendingOutput ?? MIB,
    },
    maxRedirects: options.maxRedirects ?? 2,
    refreshRing: () => ringFile?.refresh() ?? Promise.resolve(),
    scriptBodies: new ScriptBodies(),
    mirrors,
  };
  createGatewayMetrics({
    registry: options.registry,
    gateway: options.name,
    commands: server.stats,
    counters,
    nearCache,
    ring,
    pools: () => router.pools,
    mirrors,
    pubsub,
    tracking: server.tracking,
    processMetrics: options.processMetrics ?? true,
  });
  const listener = createGatewayListener(context, (bound) => {
    address = bound;
  });

  let stopping = false;
  let watchdog: NodeJS.Timeout | undefined;
  const notReady = (): string | undefined => {
    if (stopping) return 'stopping';
    if (ring.ring === undefined) return 'no ring loaded yet';
    const waiting = router.pools.filter((pool) => !pool.attempted).map((pool) => pool.nodeId);
    for (const pool of mirrors?.pools ?? [])
      if (!pool.attempted) waiting.push(`mirror ${pool.name}`);
    return waiting.length === 0 ? undefined : `connecting to ${waiting.join(', ')}`;
  };
  const admin = createGatewayAdminApp({
    metricsRegistry: options.registry,
    notReady,
    ring,
    mirrors,
    logger: logger.child({ component: 'admin' }),
  });

  return {
    admin,
    ring,
    router,
    context,
    mirrors,
    notReady,
    listen: (port, host) => listener.listen(port, host),
    start: async () => {
      if (source !== undefined && 'nodes' in source) {
        const built = staticRing(source.nodes);
        if (!built.ok) throw new TypeError(`--nodes: ${built.problems.join('; ')}`);
        ring.offer(built.ring, '--nodes');
      } else if (ringFile !== undefined) {
        await ringFile.load();
        ringFile.start();
      }
      watchdog = setInterval(() => {
        const now = clock.monotonic();
        for (const pool of router.pools) pool.checkProgress(now);
        mirrors?.checkProgress(now);
      }, WATCHDOG_MS);
      watchdog.unref();
    },
    close: async () => {
      stopping = true;
      ringFile?.close();
      if (watchdog !== undefined) clearInterval(watchdog);
      await listener.close(closeTimeoutMs);
      upstreamPubSub.close();
      await Promise.all([router.close(), mirrors?.close(closeTimeoutMs)]);
    },
  };
}
