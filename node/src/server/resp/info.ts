import { arch, release, type } from 'node:os';
import { formatBytesHuman } from '../../util/bytes.ts';
import type { ServerContext } from './server-context.ts';

type Section = (server: ServerContext) => readonly string[];

/**
 * INFO's sections, in Redis's order, with the fields clients and exporters read. `used_memory` is
 * what the store charges against maxmemory (keys, values and per-entry overhead), the figure
 * eviction compares; the process's resident size is `used_memory_rss`.
 */
const SECTIONS: Readonly<Record<string, Section>> = {
  server: (server) => {
    const uptime = Math.floor((server.clock.now() - server.startedAt) / 1000);
    return [
      `redis_version:${server.settings.redisVersion}`,
      'redis_git_sha1:00000000',
      'redis_git_dirty:0',
      'redis_mode:standalone',
      `os:${type()} ${release()} ${arch()}`,
      'arch_bits:64',
      'multiplexing_api:epoll',
      `process_id:${process.pid}`,
      `tcp_port:${server.port()}`,
      `uptime_in_seconds:${uptime}`,
      `uptime_in_days:${Math.floor(uptime / 86400)}`,
      `mlcache_version:${server.settings.mlcacheVersion}`,
      `mlcache_node:${server.settings.nodeName}`,
    ];
  },
  clients: (server) => [
    `connected_clients:${server.stats.connectedClients}`,
    'blocked_clients:0',
    `tracking_clients:${server.tracking.clients}`,
    `maxclients:${server.settings.maxClients}`,
  ],
  memory: (server) => {
    const stats = server.store.stats();
    const memory = server.store.memory();
    const rss = process.memoryUsage.rss();
    return [
      `used_memory:${stats.bytesUsed}`,
      `used_memory_human:${formatBytesHuman(stats.bytesUsed)}`,
      `used_memory_rss:${rss}`,
      `used_memory_rss_human:${formatBytesHuman(rss)}`,
      `maxmemory:${stats.bytesCapacity}`,
      `maxmemory_human:${formatBytesHuman(stats.bytesCapacity)}`,
      `maxmemory_policy:${stats.policy}`,
      `used_memory_scripts_eval:${server.scripts.bodyBytes}`,
      `number_of_cached_scripts:${server.scripts.size}`,
      // What the store's structures hold behind those charges (arena pages, the hash index, the
      // slot records, the expiry heap): it falls after mass deletes as the index shrinks and
      // sparse pages are evacuated (docs/benchmarks.md).
      `mlcache_store_reserved_bytes:${memory.reservedBytes}`,
      `mlcache_store_arena_bytes:${memory.arenaBytes}`,
      `mlcache_store_index_cells:${memory.indexCells}`,
      `mlcache_store_index_rehashing:${memory.rehashing ? 1 : 0}`,
      `mlcache_store_slot_capacity:${memory.slotCapacity}`,
    ];
  },
  persistence: (server) => [
    'loading:0',
    'async_loading:0',
    'rdb_bgsave_in_progress:0',
    'aof_enabled:0',
    `mlcache_durability:${server.settings.durability}`,
    `mlcache_persistence_writable:${server.store.writable === false ? 0 : 1}`,
  ],
  stats: (server) => {
    const store = server.store.stats();
    return [
      `total_connections_received:${server.stats.totalConnections}`,
      `total_commands_processed:${server.stats.totalCommands}`,
      'rejected_connections:0',
      `expired_keys:${store.evictedExpired}`,
      `evicted_keys:${store.evictedCapacity}`,
      `mlcache_evicted_keys_ahead:${store.evictedAhead}`,
      `keyspace_hits:${store.hits}`,
      `keyspace_misses:${store.misses}`,
      `pubsub_channels:${server.pubsub.size('channel')}`,
      `pubsub_patterns:${server.pubsub.size('pattern')}`,
      `pubsubshard_channels:${server.pubsub.size('shard')}`,
      `tracking_total_keys:${server.tracking.keys}`,
      `tracking_total_items:${server.tracking.items}`,
      `tracking_total_prefixes:${server.tracking.prefixes}`,
      `total_error_replies:${server.stats.errorReplies}`,
      `mlcache_protocol_errors:${server.stats.protocolErrors}`,
    ];
  },
  replication: () => ['role:master', 'connected_slaves:0'],
  cpu: () => {
    const usage = process.cpuUsage();
    return [
      `used_cpu_sys:${(usage.system / 1e6).toFixed(6)}`,
      `used_cpu_user:${(usage.user / 1e6).toFixed(6)}`,
    ];
  },
  modules: () => [],
  commandstats: (server) => {
    const lines: string[] = [];
    for (const entry of server.registry.entries()) {
      // A command only ever refused has a line too (calls=0), as in Redis.
      if (entry.calls === 0 && entry.rejected === 0 && entry.errors === 0) continue;
      const perCall = entry.calls === 0 ? 0 : entry.usec / entry.calls;
      lines.push(
        `cmdstat_${entry.fullName}:calls=${entry.calls},usec=${Math.round(entry.usec)},` +
          `usec_per_call=${perCall.toFixed(2)},rejected_calls=${entry.rejected},` +
          `failed_calls=${entry.errors}`,
      );
    }
    return lines;
  },
  cluster: () => ['cluster_enabled:0'],
  keyspace: (server) => {
    const stats = server.store.stats();
    // Redis lists a database only when it holds keys.
    return stats.items === 0
      ? []
      : [`db0:keys=${stats.items},expires=${stats.itemsWithTtl},avg_ttl=0`];
  },
};

const DEFAULT = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'cluster',
  'keyspace',
];
const ALL = DEFAULT.filter((name) => name !== 'modules').concat('commandstats');
const EVERYTHING = [...ALL, 'modules'];

/**
 * The INFO text for the requested section names (lowercase; none means `default`). `all`,
 * `everything` and `default` expand as in Redis; unknown names add nothing.
 */
export function renderInfo(server: ServerContext, requested: readonly string[]): string {
  const names = new Set<string>();
  for (const name of requested.length === 0 ? ['default'] : requested) {
    if (name === 'default') DEFAULT.forEach((n) => names.add(n));
    else if (name === 'all') ALL.forEach((n) => names.add(n));
    else if (name === 'everything') EVERYTHING.forEach((n) => names.add(n));
    else if (Object.hasOwn(SECTIONS, name)) names.add(name);
  }
  const blocks: string[] = [];
  for (const name of Object.keys(SECTIONS)) {
    if (!names.has(name)) continue;
    const lines = (SECTIONS[name] as Section)(server);
    const title = name === 'cpu' ? 'CPU' : name.charAt(0).toUpperCase() + name.slice(1);
    blocks.push(`# ${title}\r\n${lines.map((line) => `${line}\r\n`).join('')}`);
  }
  return blocks.join('\r\n');
}
