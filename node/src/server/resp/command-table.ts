import type { CommandSpec } from './command-spec.ts';
import { BITFIELD_COMMANDS } from './commands/bitfield.ts';
import { BITMAP_COMMANDS } from './commands/bitmaps.ts';
import { CLIENT_COMMAND } from './commands/client.ts';
import { CONNECTION_COMMANDS } from './commands/connection.ts';
import { DUMP_COMMANDS } from './commands/dump.ts';
import { EXPIRY_COMMANDS } from './commands/expiry.ts';
import { HYPERLOGLOG_COMMANDS } from './commands/hyperloglog.ts';
import { COMMAND_COMMAND } from './commands/introspection.ts';
import { INCRBYFLOAT_COMMAND } from './commands/float-counter.ts';
import { KEY_COMMANDS } from './commands/keys.ts';
import { LCS_COMMAND } from './commands/lcs.ts';
import { LEGACY_STRING_COMMANDS } from './commands/legacy-strings.ts';
import { MEMORY_COMMAND } from './commands/memory.ts';
import { OBJECT_COMMAND } from './commands/object.ts';
import { PUBSUB_COMMANDS } from './commands/pubsub.ts';
import { STRING_RANGE_COMMANDS } from './commands/string-ranges.ts';
import { TRANSACTION_COMMANDS } from './commands/transactions.ts';
import { SCRIPTING_COMMANDS } from './commands/scripting.ts';
import { SERVER_COMMANDS } from './commands/server.ts';
import { SLOWLOG_COMMAND } from './commands/slowlog.ts';
import { STRING_COMMANDS } from './commands/strings.ts';

/** Every command the RESP front end knows, family by family (immutable data, shared by servers). */
export const COMMAND_TABLE: readonly CommandSpec[] = [
  ...STRING_COMMANDS,
  ...LEGACY_STRING_COMMANDS,
  ...STRING_RANGE_COMMANDS,
  INCRBYFLOAT_COMMAND,
  LCS_COMMAND,
  ...BITMAP_COMMANDS,
  ...BITFIELD_COMMANDS,
  ...HYPERLOGLOG_COMMANDS,
  ...KEY_COMMANDS,
  ...DUMP_COMMANDS,
  ...EXPIRY_COMMANDS,
  OBJECT_COMMAND,
  ...CONNECTION_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...PUBSUB_COMMANDS,
  CLIENT_COMMAND,
  ...SERVER_COMMANDS,
  SLOWLOG_COMMAND,

  MEMORY_COMMAND,
  COMMAND_COMMAND,
];
