import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';
import type { TrackingOptions } from '../tracking/tracking-registry.ts';

const TRACKING_ERRORS = {
  ONE_REDIRECT: 'ERR A client can only redirect to a single other client',
  NO_REDIRECT_CLIENT: 'ERR The client ID you want redirect to does not exist',
  PREFIX_WITHOUT_BCAST: 'ERR PREFIX option requires BCAST mode to be enabled',
  SWITCH_BCAST:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then " +
    're-enabling it with a different mode.',
  BCAST_OPT: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  OPTIN_AND_OPTOUT: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  SWITCH_OPT:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then " +
    're-enabling it with a different mode.',
  CACHING_WITHOUT_TRACKING:
    'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or ' +
    'OPTOUT mode enabled',
  CACHING_YES: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  CACHING_NO: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
  NOLOOP_AT_GATEWAY:
    "ERR NOLOOP is not supported through the mlcache gateway: a client's own writes come back " +
    "from the nodes like anyone else's. Connect to a node for NOLOOP.",
} as const;

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP], checked
 * in Redis 7.0's order: the options first, then ON or OFF, then the options against each other and
 * against the client's current mode.
 */
export function clientTracking(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const parsed = parseOptions(session, args);
  if (typeof parsed === 'string') return out.error(parsed);
  const registry = session.server.tracking;
  if (args.is(2, 'off')) {
    registry.disable(session);
    return out.ok();
  }
  if (!args.is(2, 'on')) return out.error(ERRORS.SYNTAX);
  const refused = refusal(session, parsed);
  if (refused !== undefined) return out.error(refused);
  registry.enable(session, parsed);
  out.ok();
}

function parseOptions(session: Session, args: CommandArgs): TrackingOptions | string {
  const options = {
    redirect: 0,
    bcast: false,
    optin: false,
    optout: false,
    noloop: false,
    prefixes: [] as string[],
  };
  for (let i = 3; i < args.count; i++) {
    const more = i + 1 < args.count;
    if (args.is(i, 'redirect') && more) {
      if (options.redirect !== 0) return TRACKING_ERRORS.ONE_REDIRECT;
      const id = args.integer(++i);
      if (Number.isNaN(id)) return ERRORS.NOT_INTEGER;
      // The client must exist now, though it may leave later (Redis's sanity check).
      if (!session.server.sessions.has(id)) return TRACKING_ERRORS.NO_REDIRECT_CLIENT;
      options.redirect = id;
    } else if (args.is(i, 'bcast')) options.bcast = true;
    else if (args.is(i, 'optin')) options.optin = true;
    else if (args.is(i, 'optout')) options.optout = true;
    else if (args.is(i, 'noloop')) options.noloop = true;
    else if (args.is(i, 'prefix') && more) options.prefixes.push(args.latin1(++i));
    else return ERRORS.SYNTAX;
  }
  return options;
}

function refusal(session: Session, options: TrackingOptions): string | undefined {
  if (!options.bcast && options.prefixes.length > 0) return TRACKING_ERRORS.PREFIX_WITHOUT_BCAST;
  const current = session.tracking;
  if (current !== undefined && current.bcast !== options.bcast) return TRACKING_ERRORS.SWITCH_BCAST;
  if (options.bcast && (options.optin || options.optout)) return TRACKING_ERRORS.BCAST_OPT;
  if (options.optin && options.optout) return TRACKING_ERRORS.OPTIN_AND_OPTOUT;
  if (options.noloop && !session.server.tracking.noloop) return TRACKING_ERRORS.NOLOOP_AT_GATEWAY;
  if ((options.optin && current?.optout) || (options.optout && current?.optin))
    return TRACKING_ERRORS.SWITCH_OPT;
  return options.bcast ? prefixCollision(current?.prefixes, options.prefixes) : undefined;
}

/** Redis's checkPrefixCollisionsOrReply: no prefix may be a prefix of another of the client's. */
function prefixCollision(
  existing: ReadonlySet<string> | undefined,
  given: readonly string[],
): string | undefined {
  const overlap = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);
  for (let i = 0; i < given.length; i++) {
    const prefix = given[i]!;
    // Redis walks the client's prefixes in byte order and names the first that overlaps.
    for (const old of [...(existing ?? [])].sort()) {
      if (overlap(old, prefix))
        return `ERR Prefix '${prefix}' overlaps with an existing prefix '${old}'. Prefixes for a single client must not overlap.`;
    }
    for (let j = i + 1; j < given.length; j++) {
      if (overlap(prefix, given[j]!))
        return `ERR Prefix '${prefix}' overlaps with another provided prefix '${given[j]}'. Prefixes for a single client must not overlap.`;
    }
  }
  return undefined;
}

/** CLIENT CACHING YES|NO: whether the next command's keys are remembered (OPTIN, OPTOUT). */
export function clientCaching(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const state = session.tracking;
  if (state === undefined) return out.error(TRACKING_ERRORS.CACHING_WITHOUT_TRACKING);
  if (args.is(2, 'yes')) {
    if (!state.optin) return out.error(TRACKING_ERRORS.CACHING_YES);
  } else if (args.is(2, 'no')) {
    if (!state.optout) return out.error(TRACKING_ERRORS.CACHING_NO);
  } else {
    return out.error(ERRORS.SYNTAX);
  }
  state.caching = true;
  out.ok();
}

/** CLIENT GETREDIR: the client invalidations go to, 0 for itself, -1 when not tracking. */
export function clientGetRedir(session: Session, _args: CommandArgs, out: ReplyWriter): void {
  out.integer(session.tracking?.redirect ?? -1);
}

/** CLIENT TRACKINGINFO: flags (a set), redirect and prefixes, as Redis 7.0 orders them. */
export function clientTrackingInfo(session: Session, _args: CommandArgs, out: ReplyWriter): void {
  const state = session.tracking;
  const flags = [state === undefined ? 'off' : 'on'];
  if (state !== undefined) {
    if (state.bcast) flags.push('bcast');
    if (state.optin) flags.push('optin', ...(state.caching ? ['caching-yes'] : []));
    if (state.optout) flags.push('optout', ...(state.caching ? ['caching-no'] : []));
    if (state.noloop) flags.push('noloop');
    if (state.brokenRedirect) flags.push('broken_redirect');
  }
  out.mapHeader(3);
  out.bulkLatin1('flags');
  out.setHeader(flags.length);
  for (const flag of flags) out.bulkLatin1(flag);
  out.bulkLatin1('redirect');
  out.integer(state?.redirect ?? -1);
  out.bulkLatin1('prefixes');
  const prefixes = [...(state?.prefixes ?? [])].sort();
  out.arrayHeader(prefixes.length);
  for (const prefix of prefixes) out.bulkLatin1(prefix);
}

/**
 * After each command of a tracking client (Redis's resetClient): CLIENT CACHING holds for one
 * command, or for a whole MULTI … EXEC (`inTransaction`: the client is between them, on a node
 * or at the gateway), and CLIENT's own subcommands leave it set.
 */
export function endOfTrackedCommand(
  session: Session,
  args: CommandArgs,
  inTransaction: boolean,
): void {
  const state = session.tracking;
  if (state?.caching === true && !inTransaction && !args.is(0, 'client')) state.caching = false;
}

/** CLIENT LIST's flags for tracking (t, R, B, in Redis's order) and its redir field. */
export function trackingFlags(session: Session): string {
  const state = session.tracking;
  if (state === undefined) return '';
  return `t${state.brokenRedirect ? 'R' : ''}${state.bcast ? 'B' : ''}`;
}
