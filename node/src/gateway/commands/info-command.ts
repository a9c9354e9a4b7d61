import { arch, release, type } from 'node:os';
import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import { ownerTable } from '../../cluster/ring-owners.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import { broadcast } from '../routing/broadcast.ts';
import { bulkText } from '../routing/merge-replies.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import { infoSections, needsNodes, nodeFigures, renderGatewayInfo } from './info-aggregate.ts';
import type { GatewayInfo, NodeFigures } from './info-aggregate.ts';

const NODE_INFO = encodeCommand(['INFO', 'memory', 'stats', 'keyspace']);

/** INFO [section ...]: the gateway's sections, with the nodes' figures gathered when needed. */
export function routeInfo(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  tag: number,
): void {
  const requested: string[] = [];
  for (let i = 1; i < args.count; i++) requested.push(args.lower(i));
  const sections = infoSections(requested);
  // The protocol when INFO was asked: a HELLO pipelined after it must not change its reply.
  const resp3 = client.resp3;
  const answer = (figures: readonly (NodeFigures | undefined)[]): Buffer => {
    const text = renderGatewayInfo(gatewayInfo(ctx, figures), sections);
    // A verbatim string in RESP3, as Redis sends INFO; a bulk string in RESP2.
    const out = ctx.writer;
    out.resp3 = resp3;
    out.verbatim(text);
    return out.take() as Buffer;
  };
  if (!needsNodes(sections) || ctx.router.pools.length === 0) {
    const reply = answer([]);
    return client.onReply(tag, reply, 0, reply.length);
  }
  broadcast(ctx, client, tag, NODE_INFO, (replies) =>
    // A node that cannot answer is shown without figures; INFO itself does not fail.
    answer(
      replies.map((reply) => {
        const text = bulkText(reply, 0, reply.length);
        return text === undefined ? undefined : nodeFigures(text);
      }),
    ),
  );
}

function gatewayInfo(
  ctx: GatewayContext,
  figures: readonly (NodeFigures | undefined)[],
): GatewayInfo {
  const server = ctx.server;
  const settings = server.settings;
  const stats = server.stats;
  const near = ctx.nearCache;
  const uptime = Math.floor((server.clock.now() - server.startedAt) / 1000);
  const usage = process.cpuUsage();
  const ring = ctx.router.ring;
  const shardCounts =
    ring === undefined ? [] : countShards(ring.nodes.length, ownerTable(ring).owners);
  const commandstats: string[] = [];
  for (const entry of server.registry.entries()) {
    if (entry.calls === 0 && entry.rejected === 0 && entry.errors === 0) continue;
    commandstats.push(
      `cmdstat_${entry.fullName}:calls=${entry.calls},usec=0,usec_per_call=0.00,` +
        `rejected_calls=${entry.rejected},failed_calls=${entry.errors}`,
    );
  }
  const pools: readonly NodePool[] = ctx.router.pools;
  return {
    server: [
      `redis_version:${settings.redisVersion}`,
      'redis_mode:standalone',
      `os:${type()} ${release()} ${arch()}`,
      'arch_bits:64',
      `process_id:${process.pid}`,
      `tcp_port:${server.port()}`,
      `uptime_in_seconds:${uptime}`,
      `uptime_in_days:${Math.floor(uptime / 86400)}`,
      `mlcache_version:${settings.mlcacheVersion}`,
      'mlcache_role:gateway',
      `mlcache_gateway:${settings.nodeName}`,
    ],
    clients: [
      `connected_clients:${stats.connectedClients}`,
      'blocked_clients:0',
      `maxclients:${settings.maxClients}`,
    ],
    stats: [
      `total_connections_received:${stats.totalConnections}`,
      `total_commands_processed:${stats.totalCommands}`,
      `total_error_replies:${stats.errorReplies}`,
      `mlcache_protocol_errors:${stats.protocolErrors}`,
      `mlcache_near_cache_hits:${near.hits}`,
      `mlcache_near_cache_gets:${near.gets}`,
      `mlcache_near_cache_keys:${near.size}`,
      `mlcache_moved_retries:${ctx.counters.movedRetries}`,
      `mlcache_fan_outs:${ctx.counters.fanOuts}`,
      `mlcache_script_reloads:${ctx.counters.scriptReloads}`,
    ],
    cpu: [
      `used_cpu_sys:${(usage.system / 1e6).toFixed(6)}`,
      `used_cpu_user:${(usage.user / 1e6).toFixed(6)}`,
    ],
    commandstats,
    rss: process.memoryUsage.rss(),
    epoch: ring?.epoch,
    nodes: pools.map((pool, i) => ({
      id: pool.nodeId,
      address: pool.address,
      state: ring?.nodes[i]?.state ?? 'unknown',
      link: pool.state,
      shards: shardCounts[i] ?? 0,
      figures: figures[i],
    })),
  };
}

function countShards(nodeCount: number, owners: Int32Array): number[] {
  const counts = new Array<number>(nodeCount).fill(0);
  for (const owner of owners) counts[owner] = (counts[owner] ?? 0) + 1;
  return counts;
}
