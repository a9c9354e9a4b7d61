import { MlHybridPolicy } from '../../../policy/ml-hybrid.ts';
import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NO_KEYS } from '../command-spec.ts';
import type { CommandHandler, CommandSpec } from '../command-spec.ts';
import { CONFIG_PARAMS } from '../config-params.ts';
import type { ConfigParam } from '../config-params.ts';
import { globMatch } from '../glob.ts';
import { renderInfo } from '../info.ts';
import type { Session } from '../session.ts';
import { helpReply } from './help.ts';

const CONFIG_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;

/** Server commands: INFO, TIME and CONFIG. */
export const SERVER_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'info',
    arity: -1,
    flags: ['loading', 'stale'],
    ...NO_KEYS,
    group: 'server',
    summary: 'Returns information and statistics about the server.',
    since: '1.0.0',
    handler: (session, args, out) => {
      const sections: string[] = [];
      for (let i = 1; i < args.count; i++) sections.push(args.lower(i));
      // A verbatim string in RESP3, as Redis 7 sends it; a bulk string in RESP2.
      const text = renderInfo(session.server, sections);
      const ml = mlInfo(session.server.store, sections);
      out.verbatim(ml === '' ? text : text === '' ? ml : `${text}\r\n${ml}`);
    },
  },
  {
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    ...NO_KEYS,
    group: 'server',
    summary: 'Returns the server time.',
    since: '2.6.0',
    handler: (session, _args, out) => {
      // Unix seconds and the microseconds within them, as two bulk strings; the clock is in ms.
      const ms = session.server.clock.now();
      out.arrayHeader(2);
      out.bulkLatin1(String(Math.floor(ms / 1000)));
      out.bulkLatin1(String((ms % 1000) * 1000));
    },
  },
  configCommand({
    get: (session, args, out) =>
      replyConfigGet(args, out, Object.keys(CONFIG_PARAMS), (name) =>
        (CONFIG_PARAMS[name] as (typeof CONFIG_PARAMS)[string]).get(session.server),
      ),
    set: configSet,
    setSummary: 'Sets configuration parameters in-flight.',
    help: [
      'GET <pattern>',
      '    Return parameters matching the glob-like <pattern> and their values.',
      'SET <directive> <value>',
      '    Set the configuration <directive> to <value> (maxmemory, slowlog-* at run time).',
    ],
  }),
];

/** Sections that include `# ML`: it is part of the default set, as `# Stats` is. */
const ML_SECTIONS = new Set(['ml', 'default', 'all', 'everything']);
const BREAKER = ['closed', 'open', 'half-open'] as const;

/**
 * INFO's `# ML` section for a learned policy (ml-lru, ml-lfu): the model, who decided the
 * evictions, fallbacks by reason, the breaker and the shadow comparison; '' for other policies
 * or when not requested.
 */
function mlInfo(store: object, sections: readonly string[]): string {
  const policy = (store as { policy?: unknown }).policy;
  if (!(policy instanceof MlHybridPolicy)) return '';
  if (sections.length > 0 && !sections.some((name) => ML_SECTIONS.has(name))) return '';
  const s = policy.stats();
  const lines = [
    `ml_policy:${policy.name}`,
    `ml_model_version:${s.modelVersion}`,
    `ml_model_age_requests:${s.modelAge}`,
    `ml_evictions_model:${s.modelEvictions}`,
    `ml_evictions_base:${s.baseEvictions}`,
    `ml_model_kept_base:${s.modelKeptBase}`,
    `ml_score_batches:${s.batches}`,
    ...Object.entries(s.fallbacks).map(
      ([reason, count]) => `ml_fallbacks_${reason.toLowerCase()}:${count}`,
    ),
    `ml_breaker_state:${BREAKER[s.breakerState as 0 | 1 | 2] ?? 'closed'}`,
    `ml_breaker_opens:${s.breakerOpens}`,
    `ml_trainings:${s.trainings}`,
    `ml_training_failures:${s.trainingFailures}`,
    `ml_last_training_ms:${Math.round(s.lastTrainingMs)}`,
    `ml_models_refused_version:${s.modelsRefusedVersion}`,
    `ml_models_refused_validation:${s.modelsRefusedValidation}`,
    `ml_shadow_live_hit_ratio:${s.shadowLiveHitRatio.toFixed(4)}`,
    `ml_shadow_base_hit_ratio:${s.shadowBaseHitRatio.toFixed(4)}`,
    ...(Number.isFinite(s.shadowPlainHitRatio)
      ? [`ml_shadow_plain_hit_ratio:${s.shadowPlainHitRatio.toFixed(4)}`]
      : []),
    `ml_shadow_fallback_active:${s.shadowFallbackActive}`,
    `ml_plain_mode:${s.plainActive}`,
    `ml_plain_switches:${s.plainSwitches}`,
    `ml_plain_wakes:${s.plainWakes}`,
    `ml_plain_wakes_turned:${s.plainShiftWakes}`,
    `ml_plain_probation_requests:${s.plainProbation}`,
    `ml_challenge_margin:${s.challengeMargin}`,
    `ml_audit_pairs_resolved:${s.auditResolved}`,
    `ml_audit_margin:${s.auditMargin}`,
    `ml_base_order:${policy.order}`,
    `ml_base_order_switches:${s.baseSwitches}`,
    `ml_prior_evictions:${s.priorEvictions}`,
    `ml_prior_guard_trips:${s.priorGuardTrips}`,
    `ml_evicted_keys_remembered:${s.ghostKeys}`,
    `ml_evicted_keys_capacity:${s.ghostCapacity}`,
  ];
  return `# ML\r\n${lines.map((line) => `${line}\r\n`).join('')}`;
}

/**
 * CONFIG with its GET, SET and HELP subcommands, for the node and the gateway (which report
 * different parameters and refuse SET).
 */
export function configCommand(parts: {
  readonly get: CommandHandler;
  readonly set: CommandHandler;
  readonly setSummary: string;
  /** CONFIG HELP's lines about GET and SET. */
  readonly help: readonly string[];
}): CommandSpec {
  return {
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
        flags: CONFIG_FLAGS,
        ...NO_KEYS,
        group: 'server',
        summary: 'Returns the effective values of configuration parameters.',
        since: '2.0.0',
        handler: parts.get,
      },
      {
        name: 'set',
        arity: -4,
        flags: CONFIG_FLAGS,
        ...NO_KEYS,
        group: 'server',
        summary: parts.setSummary,
        since: '2.0.0',
        handler: parts.set,
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        ...NO_KEYS,
        group: 'server',
        summary: 'Returns helpful text about the different subcommands.',
        since: '5.0.0',
        handler: (_session, _args, out) => helpReply(out, 'CONFIG', parts.help),
      },
    ],
  };
}

/**
 * CONFIG GET pattern [pattern ...]: each of `names` that matches a pattern, once, with its value;
 * a map in RESP3, a flat array of names and values in RESP2, as Redis sends it.
 */
export function replyConfigGet(
  args: CommandArgs,
  out: ReplyWriter,
  names: readonly string[],
  value: (name: string) => string,
): void {
  const matched: string[] = [];
  for (const name of names) {
    for (let i = 2; i < args.count; i++) {
      // Redis matches parameter names without regard to case.
      if (globMatch(args.latin1(i), name, true)) {
        matched.push(name);
        break;
      }
    }
  }
  out.mapHeader(matched.length);
  for (const name of matched) {
    out.bulkLatin1(name);
    out.bulkUtf8(value(name));
  }
}

/** CONFIG SET name value [name value ...]: every pair checked before any is applied, as Redis 7. */
function configSet(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (args.count % 2 !== 0)
    return out.error("ERR wrong number of arguments for 'config|set' command");
  const changes: { param: ConfigParam; value: string }[] = [];
  for (let i = 2; i < args.count; i += 2) {
    const name = args.lower(i);
    const param = Object.hasOwn(CONFIG_PARAMS, name) ? CONFIG_PARAMS[name] : undefined;
    if (param === undefined) {
      return out.error(
        `ERR Unknown option or number of arguments for CONFIG SET - '${args.latin1(i)}'`,
      );
    }
    const value = args.utf8(i + 1);
    const problem =
      param.check === undefined ? "can't set immutable config" : param.check(session.server, value);
    if (problem !== undefined) {
      return out.error(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - ${problem}`,
      );
    }
    changes.push({ param, value });
  }
  for (const { param, value } of changes) param.apply?.(session.server, value);
  out.ok();
}
