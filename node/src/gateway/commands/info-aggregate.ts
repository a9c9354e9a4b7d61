import { formatBytesHuman } from '../../util/bytes.ts';

/**
 * INFO through the gateway: its own sections (server, clients, stats, cpu, commandstats) plus the
 * nodes' figures added up (memory, keyspace hits and misses, evictions, keys), and a `# Cluster`
 * section with the ring's epoch and every node's state. Pure: text in, text out.
 */

/** What one node's `INFO memory stats keyspace` says, the fields the gateway adds up. */
export interface NodeFigures {
  readonly usedMemory: number;
  readonly maxMemory: number;
  readonly rss: number;
  readonly hits: number;
  readonly misses: number;
  readonly evicted: number;
  readonly expired: number;
  readonly keys: number;
  readonly expires: number;
}

/** `name:value` lines of an INFO text (section headers and blank lines skipped). */
export function parseInfoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** The figures of one node's INFO text. */
export function nodeFigures(text: string): NodeFigures {
  const fields = parseInfoFields(text);
  const num = (name: string): number => {
    const value = Number(fields.get(name) ?? 0);
    return Number.isFinite(value) ? value : 0;
  };
  const db0 = /keys=(\d+),expires=(\d+)/.exec(fields.get('db0') ?? '');
  return {
    usedMemory: num('used_memory'),
    maxMemory: num('maxmemory'),
    rss: num('used_memory_rss'),
    hits: num('keyspace_hits'),
    misses: num('keyspace_misses'),
    evicted: num('evicted_keys'),
    expired: num('expired_keys'),
    keys: Number(db0?.[1] ?? 0),
    expires: Number(db0?.[2] ?? 0),
  };
}

/** Adds figures up. */
export function sumFigures(all: readonly NodeFigures[]): NodeFigures {
  const total = {
    usedMemory: 0,
    maxMemory: 0,
    rss: 0,
    hits: 0,
    misses: 0,
    evicted: 0,
    expired: 0,
    keys: 0,
    expires: 0,
  };
  for (const figures of all) {
    for (const name of Object.keys(total) as (keyof NodeFigures)[]) total[name] += figures[name];
  }
  return total;
}

/** One node as the Cluster section shows it. */
export interface NodeLine {
  readonly id: string;
  readonly address: string;
  /** The ring's state: active, joining or draining. */
  readonly state: string;
  /** The gateway's connection: up, down, connecting. */
  readonly link: string;
  readonly shards: number;
  /** Undefined when the node did not answer this INFO. */
  readonly figures: NodeFigures | undefined;
}

/** The gateway's own values for its sections. */
export interface GatewayInfo {
  readonly server: readonly string[];
  readonly clients: readonly string[];
  readonly stats: readonly string[];
  readonly cpu: readonly string[];
  readonly commandstats: readonly string[];
  /** The gateway process's own resident memory. */
  readonly rss: number;
  readonly epoch: number | undefined;
  readonly nodes: readonly NodeLine[];
}

const DEFAULT = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'cluster',
  'keyspace',
];
const ALL = [...DEFAULT, 'commandstats'];
const ORDER = [...DEFAULT.slice(0, -1), 'commandstats', 'keyspace'];

/** The section names a request asks for, expanded as Redis expands default/all/everything. */
export function infoSections(requested: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const name of requested.length === 0 ? ['default'] : requested) {
    if (name === 'default') DEFAULT.forEach((n) => names.add(n));
    else if (name === 'all' || name === 'everything') ALL.forEach((n) => names.add(n));
    else names.add(name);
  }
  return names;
}

/** True when the sections need the nodes' figures (anything but the gateway's own). */
export function needsNodes(sections: ReadonlySet<string>): boolean {
  return (
    sections.has('memory') ||
    sections.has('stats') ||
    sections.has('keyspace') ||
    sections.has('cluster')
  );
}

/** Renders the requested sections. */
export function renderGatewayInfo(info: GatewayInfo, sections: ReadonlySet<string>): string {
  const answered = info.nodes.flatMap((node) => (node.figures ? [node.figures] : []));
  const sum = sumFigures(answered);
  const blocks: [string, readonly string[]][] = [];
  for (const name of ORDER) {
    if (!sections.has(name)) continue;
    blocks.push([name, section(name, info, sum, answered.length)]);
  }
  return blocks
    .map(([name, lines]) => {
      const title = name === 'cpu' ? 'CPU' : name.charAt(0).toUpperCase() + name.slice(1);
      return `# ${title}\r\n${lines.map((line) => `${line}\r\n`).join('')}`;
    })
    .join('\r\n');
}

function section(
  name: string,
  info: GatewayInfo,
  sum: NodeFigures,
  answered: number,
): readonly string[] {
  switch (name) {
    case 'server':
      return info.server;
    case 'clients':
      return info.clients;
    case 'memory':
      return [
        `used_memory:${sum.usedMemory}`,
        `used_memory_human:${formatBytesHuman(sum.usedMemory)}`,
        `used_memory_rss:${sum.rss}`,
        `maxmemory:${sum.maxMemory}`,
        `maxmemory_human:${formatBytesHuman(sum.maxMemory)}`,
        `mlcache_gateway_rss:${info.rss}`,
      ];
    case 'persistence':
      return ['loading:0', 'async_loading:0', 'aof_enabled:0'];
    case 'stats':
      return [
        ...info.stats,
        `keyspace_hits:${sum.hits}`,
        `keyspace_misses:${sum.misses}`,
        `evicted_keys:${sum.evicted}`,
        `expired_keys:${sum.expired}`,
      ];
    case 'replication':
      return ['role:master', 'connected_slaves:0'];
    case 'cpu':
      return info.cpu;
    case 'commandstats':
      return info.commandstats;
    case 'cluster':
      return [
        'cluster_enabled:0',
        `mlcache_ring_epoch:${info.epoch ?? -1}`,
        `mlcache_ring_nodes:${info.nodes.length}`,
        `mlcache_ring_nodes_up:${info.nodes.filter((node) => node.link === 'up').length}`,
        `mlcache_ring_nodes_answered:${answered}`,
        ...info.nodes.map(
          (node, i) =>
            `node${i}:id=${node.id},address=${node.address},state=${node.state},link=${node.link},` +
            `shards=${node.shards},keys=${node.figures?.keys ?? '?'}`,
        ),
      ];
    case 'keyspace':
      return sum.keys === 0 ? [] : [`db0:keys=${sum.keys},expires=${sum.expires},avg_ttl=0`];
    default:
      return [];
  }
}
