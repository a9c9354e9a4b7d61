import type { OpStatus } from '../../core/status.ts';

/**
 * Every error text the RESP front end sends, in one table (garnet's CmdStrings.RESP_ERR_*), each
 * with Redis's exact wording and prefix so that clients that match on them keep working.
 *
 * There is no WRONGTYPE: the store holds strings only, so "Operation against a key holding the
 * wrong kind of value" cannot happen. TYPE answers `string` or `none`, and SCAN TYPE with another
 * type returns no keys.
 */
export const ERRORS = {
  SYNTAX: 'ERR syntax error',
  NO_SUCH_KEY: 'ERR no such key',
  NOT_A_FLOAT: 'ERR value is not a valid float',
  NAN_OR_INFINITY: 'ERR increment would produce NaN or Infinity',
  MULTI_NESTED: 'ERR MULTI calls can not be nested',
  EXEC_WITHOUT_MULTI: 'ERR EXEC without MULTI',
  DISCARD_WITHOUT_MULTI: 'ERR DISCARD without MULTI',
  WATCH_IN_MULTI: 'ERR WATCH inside MULTI is not allowed',
  EXECABORT: 'EXECABORT Transaction discarded because of previous errors.',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  /** Redis's getIntFromObjectOrReply for a 64-bit integer outside the 32-bit range. */
  NOT_INT32: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  OVERFLOW: 'ERR increment or decrement would overflow',
  DECREMENT_OVERFLOW: 'ERR decrement would overflow',
  OOM: "OOM command not allowed when used memory > 'maxmemory'.",
  TOO_LARGE: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  NOAUTH: 'NOAUTH Authentication required.',
  HELLO_NOAUTH:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO ' +
    '<proto> AUTH <user> <pass> option can be used to authenticate the client and select the ' +
    'RESP protocol version at the same time',
  WRONGPASS: 'WRONGPASS invalid username-password pair or user is disabled.',
  AUTH_WITHOUT_PASSWORD:
    'ERR AUTH <password> called without any password configured for the default user. Are you ' +
    'sure your configuration is correct?',
  NOPROTO: 'NOPROTO unsupported protocol version',
  PROTOCOL_VERSION: 'ERR Protocol version is not an integer or out of range',
  DB_OUT_OF_RANGE: 'ERR DB index is out of range',
  INVALID_CURSOR: 'ERR invalid cursor',
  CLIENT_NAME: 'ERR Client names cannot contain spaces, newlines or special characters.',
  EXPIRE_NX_WITH_OTHERS: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  EXPIRE_GT_AND_LT: 'ERR GT and LT options at the same time are not compatible',
  /** Persistence refuses writes (a failed disk write, a full disk): nothing was changed. */
  PERSISTENCE_REFUSED:
    'MISCONF Errors writing to the persistence layer; writes are refused until it recovers ' +
    "(see the node's logs)",
  /** The write was applied in memory but the sync that would make it durable failed. */
  DURABILITY_FAILED:
    'MISCONF Errors writing to the persistence layer; this write is in memory but may not be ' +
    "durable, and writes are refused until it recovers (see the node's logs)",
  INTERNAL: 'ERR internal error',
} as const;

/** The statuses that are errors on the wire (NOT_FOUND and NOT_APPLIED are nil or 0 replies). */
export type ErrorStatus = Exclude<OpStatus, 'OK' | 'NOT_FOUND' | 'NOT_APPLIED'>;

/** OpStatus to wire error: the only place where store outcomes become Redis errors. */
export const STATUS_ERRORS: Readonly<Record<ErrorStatus, string>> = {
  OOM: ERRORS.OOM,
  TOO_LARGE: ERRORS.TOO_LARGE,
  NOT_INTEGER: ERRORS.NOT_INTEGER,
  OVERFLOW: ERRORS.OVERFLOW,
  PERSISTENCE_FAILED: ERRORS.PERSISTENCE_REFUSED,
};

/** The error for a status that is not a success; OK, NOT_FOUND and NOT_APPLIED have none. */
export function statusError(status: OpStatus): string {
  if (status === 'OK' || status === 'NOT_FOUND' || status === 'NOT_APPLIED') {
    throw new TypeError(`status ${status} is not an error`);
  }
  return STATUS_ERRORS[status];
}

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

/** Redis's execCommandAbort: a refused EXEC, with the reason without its ERR prefix. */
export function execAbort(error: string): string {
  return `EXECABORT Transaction discarded because of: ${error.replace(/^ERR /, '')}`;
}

export function invalidExpireTime(fullName: string): string {
  return `ERR invalid expire time in '${fullName}' command`;
}

/** Redis's `%.128s` and `'%.*s' ` formatting: truncated to 128 bytes and at a NUL byte. */
function cString(text: string, max: number): string {
  const nul = text.indexOf('\0');
  return (nul >= 0 ? text.slice(0, nul) : text).slice(0, Math.max(0, max));
}

/** `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` (note the trailing space). */
export function unknownCommand(name: string, args: readonly string[]): string {
  let listed = '';
  for (let i = 0; i < args.length && listed.length < 128; i++) {
    listed += `'${cString(args[i] as string, 128 - listed.length)}' `;
  }
  return `ERR unknown command '${cString(name, 128)}', with args beginning with: ${listed}`;
}

export function unknownSubcommand(subcommand: string, container: string): string {
  return `ERR unknown subcommand '${cString(subcommand, 128)}'. Try ${container.toUpperCase()} HELP.`;
}

export function pubsubContext(fullName: string): string {
  return (
    `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / ` +
    'RESET are allowed in this context'
  );
}

export function unsupportedExpireOption(option: string): string {
  return `ERR Unsupported option ${option}`;
}
