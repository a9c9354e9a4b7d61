import type { AddressInfo } from 'node:net';
import { createRespListener } from '../../server/resp/resp-listener.ts';
import type { RespListener } from '../../server/resp/resp-listener.ts';
import { ClientConnection } from './client-connection.ts';
import type { GatewayContext } from './gateway-context.ts';

export type GatewayListener = RespListener;

/**
 * The gateway's RESP port: the node's listener (server/resp/resp-listener.ts), so that sessions,
 * CLIENT LIST, AUTH, HELLO and maxclients behave as on a node, with a ClientConnection (which
 * forwards to the nodes) for each client.
 */
export function createGatewayListener(
  ctx: GatewayContext,
  setAddress: (address: AddressInfo) => void,
): GatewayListener {
  const limits = { maxBulkLength: ctx.server.settings.maxValueSize };
  const listener = createRespListener(
    ctx.server,
    (socket, session) => new ClientConnection(socket, session, ctx, limits),
    ctx.logger,
  );
  return {
    get address() {
      return listener.address;
    },
    listen: async (port, host) => {
      const address = await listener.listen(port, host);
      setAddress(address);
      return address;
    },
    close: (graceMs) => listener.close(graceMs),
  };
}
