import type { CommandEntry } from '../../server/resp/command-registry.ts';
import { allOk, concatArrays, sumIntegers } from '../routing/broadcast.ts';
import type { Combine } from '../routing/broadcast.ts';

/**
 * SLOWLOG at the gateway speaks for the nodes, where commands run: GET, LEN and RESET go to
 * every node. GET's arrays are joined in ring order (each node's newest first, up to `count` per
 * node; ids are per node, and the client is the gateway's link to that node); LEN adds up;
 * RESET is OK when every node said OK. HELP is answered here.
 */
const SLOWLOG_BROADCASTS: ReadonlyMap<string, Combine> = new Map([
  ['get', concatArrays],
  ['len', sumIntegers],
  ['reset', allOk],
]);

/** How a SLOWLOG subcommand's replies from every node combine; undefined: answered locally. */
export function slowlogBroadcastOf(entry: CommandEntry): Combine | undefined {
  return SLOWLOG_BROADCASTS.get(entry.spec.name);
}
