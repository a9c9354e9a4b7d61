import { createRing } from '../../cluster/ring-document.ts';
import type { RingResult } from '../../cluster/ring-schema.ts';

/**
 * The ring of `--nodes host:port,...`: a fixed set of standalone nodes, epoch 0, equal weights.
 * Node ids derive from the addresses (not from their order), so every gateway given the same set
 * routes the same way. Such a ring knows only RESP addresses; its gRPC and admin addresses repeat
 * the RESP one (the gateway uses neither).
 */
export function staticRing(addresses: readonly string[]): RingResult {
  const nodes = addresses.map((address) => ({
    id: idOf(address),
    address,
    grpcAddress: address,
    adminAddress: address,
    weight: 1,
    state: 'active' as const,
  }));
  return createRing({ epoch: 0, nodes });
}

/** `10.0.0.7:6379` → `10.0.0.7-6379`; `[::1]:6379` → `n---1--6379` (ids start alphanumeric). */
export function idOf(address: string): string {
  const id = address.replace(/[^A-Za-z0-9._-]/g, '-');
  return /^[A-Za-z0-9]/.test(id) ? id : `n${id}`;
}
