import type { CommandSpec } from '../../server/resp/command-spec.ts';
import { configCommand, replyConfigGet } from '../../server/resp/commands/server.ts';
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

/** CONFIG GET (gateway parameters), CONFIG SET (refused: nodes own their settings), CONFIG HELP. */
export const GATEWAY_CONFIG_COMMAND: CommandSpec = configCommand({
  get: (session, args, out) =>
    replyConfigGet(args, out, Object.keys(PARAMS), (name) =>
      (PARAMS[name] as (server: ServerContext) => string)(session.server),
    ),
  set: (_session, _args, out) => out.error(GATEWAY_ERRORS.CONFIG_SET),
  setSummary: 'Sets configuration parameters in-flight (refused by the gateway).',
  help: [
    'GET <pattern>',
    '    Return gateway parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Refused: the gateway has no settings to change at run time.',
  ],
});
