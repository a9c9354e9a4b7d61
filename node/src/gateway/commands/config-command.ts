import { NO_KEYS } from '../../server/resp/command-spec.ts';
import type { CommandSpec } from '../../server/resp/command-spec.ts';
import { helpReply } from '../../server/resp/commands/help.ts';
import { globMatch } from '../../server/resp/glob.ts';
import type { ServerContext } from '../../server/resp/server-context.ts';
import { GATEWAY_ERRORS } from '../errors.ts';

/**
 * The parameters the gateway's CONFIG GET reports: what tools ask for at start (redis-benchmark
 * reads `save` and `appendonly`) and what describes the gateway itself. Memory settings belong to
 * the nodes; ask them directly.
 */
const PARAMS: Readonly<Record<string, (server: ServerContext) => string>> = {
  port: (server) => String(server.port()),
  databases: () => '1',
  'cluster-enabled': () => 'no',
  save: () => '',
  appendonly: () => 'no',
  timeout: () => '0',
  'tcp-keepalive': () => '300',
  maxclients: (server) => String(server.settings.maxClients),
  'proto-max-bulk-len': (server) => String(server.settings.maxValueSize),
};

const FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;

/** CONFIG GET (gateway parameters), CONFIG SET (refused: nodes own their settings), CONFIG HELP. */
export const GATEWAY_CONFIG_COMMAND: CommandSpec = {
  name: 'config',
  arity: -2,
  flags: [],
  ...NO_KEYS,
  group: 'server',
  summary: 'A container for server configuration commands.',
  since: '2.0.0',
  subcommands: [
    {
      name: 'get',
      arity: -3,
      flags: FLAGS,
      ...NO_KEYS,
      group: 'server',
      summary: 'Returns the effective values of configuration parameters.',
      since: '2.0.0',
      handler: (session, args, out) => {
        const matched = Object.keys(PARAMS).filter((name) => {
          for (let i = 2; i < args.count; i++)
            if (globMatch(args.latin1(i), name, true)) return true;
          return false;
        });
        // A map in RESP3, a flat array of names and values in RESP2, as Redis sends it.
        out.mapHeader(matched.length);
        for (const name of matched) {
          out.bulkLatin1(name);
          out.bulkUtf8((PARAMS[name] as (server: ServerContext) => string)(session.server));
        }
      },
    },
    {
      name: 'set',
      arity: -4,
      flags: FLAGS,
      ...NO_KEYS,
      group: 'server',
      summary: 'Sets configuration parameters in-flight (refused by the gateway).',
      since: '2.0.0',
      handler: (_session, _args, out) => out.error(GATEWAY_ERRORS.CONFIG_SET),
    },
    {
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      ...NO_KEYS,
      group: 'server',
      summary: 'Returns helpful text about the different subcommands.',
      since: '5.0.0',
      handler: (_session, _args, out) =>
        helpReply(out, 'CONFIG', [
          'GET <pattern>',
          '    Return gateway parameters matching the glob-like <pattern> and their values.',
          'SET <directive> <value>',
          '    Refused: the gateway has no settings to change at run time.',
        ]),
    },
  ],
};
