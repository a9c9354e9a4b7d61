import { RespRequestDecoder } from '../../protocol/resp/decoder.ts';
import { NEED_MORE } from '../../protocol/resp/types.ts';
import { routeCommand } from '../commands/execute.ts';
import { tooManyRedirects } from '../errors.ts';
import { replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { MovedReply } from '../upstream/reply-sink.ts';

/**
 * A node answered MOVED to a request forwarded as is: it knows a newer ring than ours. Note its
 * hint, re-read the ring, and run the command again from its bytes (it may now split differently),
 * keeping its reply slot so that the client still gets replies in order. After `maxRedirects`
 * retries the client gets TRYAGAIN.
 */
export function retryAfterMoved(
  ctx: GatewayContext,
  client: GatewayClient,
  tag: number,
  moved: MovedReply,
  request: Buffer,
  attempts: number,
): void {
  if (attempts > ctx.maxRedirects) {
    ctx.counters.movedGivenUp++;
    return replyError(client, tag, tooManyRedirects(moved.text, attempts));
  }
  ctx.counters.movedRetries++;
  ctx.router.noteMoved(moved);
  void ctx.refreshRing().then(() => {
    const decoder = new RespRequestDecoder();
    decoder.feed(request);
    if (decoder.next() === NEED_MORE) return replyError(client, tag, moved.text);
    const args = decoder.args;
    const { registry, routes } = ctx.commands;
    const entry = registry.lookup(args);
    const route = entry === undefined ? undefined : routes.get(entry);
    if (entry === undefined || route === undefined) return replyError(client, tag, moved.text);
    const raw = { buf: request, start: 0, end: request.length };
    routeCommand(ctx, client, entry, route, args, tag, attempts + 1, raw, ctx.clock.monotonic());
  });
}
