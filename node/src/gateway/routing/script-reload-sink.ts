import { encodeCommand } from '../../protocol/resp/encoder.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';

const NOSCRIPT = '-NOSCRIPT ';

/** True when `bytes[start, end)` is a NOSCRIPT error (checked in place). */
export function isNoScript(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < NOSCRIPT.length) return false;
  for (let i = 0; i < NOSCRIPT.length; i++) {
    if (bytes[start + i] !== NOSCRIPT.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The EVAL that does what an EVALSHA did: `EVAL` (or `EVAL_RO` for EVALSHA_RO) with the body in
 * place of the SHA and the rest of the arguments as they were.
 */
export function evalRequestFor(evalShaArgs: readonly Buffer[], body: Buffer): Buffer {
  const readOnly = evalShaArgs[0]!.toString('latin1').toLowerCase() === 'evalsha_ro';
  return encodeCommand([readOnly ? 'EVAL_RO' : 'EVAL', body, ...evalShaArgs.slice(2)]);
}

/**
 * Wraps the sink of an EVALSHA whose body the gateway knows (script-bodies.ts): a NOSCRIPT reply
 * is not passed on; the request is sent again as EVAL to the same node (which then caches the
 * script), its reply going where the EVALSHA's would have. Any other reply, and MOVED, pass
 * through.
 */
export class ScriptReloadSink implements ReplySink {
  readonly #inner: ReplySink;
  readonly #resend: (inner: ReplySink, tag: number, request: Buffer) => void;
  readonly #evalRequest: () => Buffer;
  readonly #onReload: () => void;

  constructor(
    inner: ReplySink,
    evalRequest: () => Buffer,
    resend: (inner: ReplySink, tag: number, request: Buffer) => void,
    onReload: () => void,
  ) {
    this.#inner = inner;
    this.#evalRequest = evalRequest;
    this.#resend = resend;
    this.#onReload = onReload;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    if (!isNoScript(bytes, start, end)) return this.#inner.onReply(tag, bytes, start, end);
    this.#onReload();
    this.#resend(this.#inner, tag, this.#evalRequest());
  }

  onMoved(
    tag: number,
    moved: MovedReply,
    request: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    this.#inner.onMoved(tag, moved, request, start, end, attempts);
  }
}
