import { status } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GrpcCallError } from './status-map.ts';

/**
 * Checks the `authorization: Bearer <password>` metadata of a call against --requirepass.
 * Returns a function that throws UNAUTHENTICATED for a missing or wrong password, or does
 * nothing when the node has no password.
 */
export function createAuthCheck(password: string | null): (metadata: Metadata) => void {
  if (password === null) return () => {};
  // Comparing digests keeps the comparison constant-time even when the lengths differ.
  const expected = digest(password);
  return (metadata) => {
    const header = metadata.get('authorization')[0];
    const given =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (given === undefined) {
      throw new GrpcCallError(
        status.UNAUTHENTICATED,
        'NO_AUTH',
        'authentication required: send authorization: Bearer <password>',
      );
    }
    if (!timingSafeEqual(digest(given), expected)) {
      throw new GrpcCallError(status.UNAUTHENTICATED, 'WRONG_PASS', 'invalid password');
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
