import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ALL_KEYS, NO_KEYS, ONE_KEY } from '../command-spec.ts';
import type { CommandFlag, CommandHandler, CommandSpec } from '../command-spec.ts';
import { SUBSCRIBE_COMMANDS, UNSUBSCRIBE_COMMANDS } from '../pubsub/pubsub-hub.ts';
import type { SubscriptionKind } from '../pubsub/pubsub-hub.ts';
import type { Session } from '../session.ts';

/**
 * Pub/Sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH, SPUBLISH and
 * PUBSUB, as Redis 7.0 answers them. The registry is the server's PubSubHub; a session's own
 * subscriptions are on the session. Messages reach a subscriber through `Session.push`, which
 * the connection points at its socket (in order with its replies).
 *
 * Differences: PUBLISH reaches the subscribers of this server only (a cluster of nodes has no
 * bus between them; the gateway routes each channel to one node), and there are no keyspace
 * notifications.
 */
const SUBSCRIBE_FLAGS: readonly CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];
const PUBLISH_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale', 'fast'];
const INTROSPECTION_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale'];

function subscribeSpec(kind: SubscriptionKind, summary: string): CommandSpec {
  return {
    name: SUBSCRIBE_COMMANDS[kind],
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    // A shard channel is a key for routing (its slot), as in Redis Cluster.
    ...(kind === 'shard' ? ALL_KEYS : NO_KEYS),
    group: 'pubsub',
    summary,
    since: kind === 'shard' ? '7.0.0' : '2.0.0',
    handler: (session, args, out) => subscribe(session, args, out, kind),
  };
}

function unsubscribeSpec(kind: SubscriptionKind, summary: string): CommandSpec {
  return {
    name: UNSUBSCRIBE_COMMANDS[kind],
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    // Keyless even for shard channels (Redis gives SUNSUBSCRIBE key positions): leaving a
    // channel is local to the connection, so it needs no routing, and a bare SUNSUBSCRIBE has none.
    ...NO_KEYS,
    group: 'pubsub',
    summary,
    since: kind === 'shard' ? '7.0.0' : '2.0.0',
    handler: (session, args, out) => unsubscribe(session, args, out, kind),
  };
}

export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  subscribeSpec('channel', 'Listens for messages published to channels.'),
  subscribeSpec(
    'pattern',
    'Listens for messages published to channels that match one or more patterns.',
  ),
  subscribeSpec('shard', 'Listens for messages published to shard channels.'),
  unsubscribeSpec('channel', 'Stops listening to messages posted to channels.'),
  unsubscribeSpec(
    'pattern',
    'Stops listening to messages published to channels that match one or more patterns.',
  ),
  unsubscribeSpec('shard', 'Stops listening to messages posted to shard channels.'),
  {
    name: 'publish',
    arity: 3,
    flags: PUBLISH_FLAGS,
    ...NO_KEYS,
    group: 'pubsub',
    summary: 'Posts a message to a channel.',
    since: '2.0.0',
    handler: (session, args, out) =>
      out.integer(session.server.pubsub.publish(args.latin1(1), args.view(2))),
  },
  {
    name: 'spublish',
    arity: 3,
    flags: PUBLISH_FLAGS,
    ...ONE_KEY,
    group: 'pubsub',
    summary: 'Post a message to a shard channel',
    since: '7.0.0',
    handler: (session, args, out) =>
      out.integer(session.server.pubsub.publish(args.latin1(1), args.view(2), true)),
  },
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    group: 'pubsub',
    summary: 'A container for Pub/Sub commands.',
    since: '2.8.0',
    subcommands: [
      namesSpec('channels', 'channel', 'Returns the active channels.', '2.8.0'),
      namesSpec('shardchannels', 'shard', 'Returns the active shard channels.', '7.0.0'),
      countsSpec('numsub', 'channel', 'Returns a count of subscribers to channels.', '2.8.0'),
      countsSpec(
        'shardnumsub',
        'shard',
        'Returns the count of subscribers of shard channels.',
        '7.0.0',
      ),
      introspection(
        'numpat',
        2,
        'Returns a count of unique pattern subscriptions.',
        '2.8.0',
        (session, _args, out) => out.integer(session.server.pubsub.size('pattern')),
      ),
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        ...NO_KEYS,
        group: 'pubsub',
        summary: 'Returns helpful text about the different subcommands.',
        since: '6.2.0',
        handler: (_session, _args, out) => {
          out.arrayHeader(PUBSUB_HELP.length);
          for (const line of PUBSUB_HELP) out.simple(line);
        },
      },
    ],
  },
];

/** Redis 7.0's PUBSUB HELP, word for word ("Prints", where other containers say "Print"). */
const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** A PUBSUB subcommand: introspection of the registry. */
function introspection(
  name: string,
  arity: number,
  summary: string,
  since: string,
  handler: CommandHandler,
): CommandSpec {
  return {
    name,
    arity,
    flags: INTROSPECTION_FLAGS,
    ...NO_KEYS,
    group: 'pubsub',
    summary,
    since,
    handler,
  };
}

/** CHANNELS and SHARDCHANNELS: the names with subscribers, matching an optional pattern. */
function namesSpec(name: string, kind: SubscriptionKind, summary: string, since: string) {
  return introspection(name, -2, summary, since, (session, args, out) => {
    if (args.count > 3) {
      return out.error(
        `ERR unknown subcommand or wrong number of arguments for '${args.latin1(1)}'. Try PUBSUB HELP.`,
      );
    }
    const names = session.server.pubsub.names(kind, args.count === 3 ? args.latin1(2) : undefined);
    out.arrayHeader(names.length);
    for (const channel of names) out.bulk(Buffer.from(channel, 'latin1'));
  });
}

/** NUMSUB and SHARDNUMSUB: each name given, with its subscriber count. */
function countsSpec(name: string, kind: SubscriptionKind, summary: string, since: string) {
  return introspection(name, -2, summary, since, (session, args, out) => {
    const hub = session.server.pubsub;
    out.arrayHeader((args.count - 2) * 2);
    for (let i = 2; i < args.count; i++) {
      out.bulk(args.buffer, args.starts[i], args.ends[i]);
      out.integer(hub.count(kind, args.latin1(i)));
    }
  });
}

function subscribe(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
  kind: SubscriptionKind,
): void {
  const hub = session.server.pubsub;
  const mine = session.subscriptions[kind];
  for (let i = 1; i < args.count; i++) {
    const name = args.latin1(i);
    if (hub.subscribe(kind, name, session)) mine.add(name);
    confirm(session, out, SUBSCRIBE_COMMANDS[kind], name, kind);
  }
}

/** Without names: every subscription of the kind, oldest first; with none, one null reply. */
function unsubscribe(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
  kind: SubscriptionKind,
): void {
  const hub = session.server.pubsub;
  const mine = session.subscriptions[kind];
  const names =
    args.count > 1
      ? Array.from({ length: args.count - 1 }, (_, i) => args.latin1(i + 1))
      : [...mine];
  if (names.length === 0) return confirm(session, out, UNSUBSCRIBE_COMMANDS[kind], null, kind);
  for (const name of names) {
    if (hub.unsubscribe(kind, name, session)) mine.delete(name);
    confirm(session, out, UNSUBSCRIBE_COMMANDS[kind], name, kind);
  }
}

/** A (un)subscription confirmation: the kind, the name (or null), and the count left. */
function confirm(
  session: Session,
  out: ReplyWriter,
  what: string,
  name: string | null,
  kind: SubscriptionKind,
): void {
  const subs = session.subscriptions;
  out.raw(session.resp3 ? PUSH_OF_3 : ARRAY_OF_3);
  out.bulk(Buffer.from(what, 'latin1'));
  if (name === null) out.nullBulk();
  else out.bulk(Buffer.from(name, 'latin1'));
  out.integer(kind === 'shard' ? subs.shard.size : subs.classic);
}

const PUSH_OF_3 = Buffer.from('>3\r\n', 'latin1');
const ARRAY_OF_3 = Buffer.from('*3\r\n', 'latin1');
