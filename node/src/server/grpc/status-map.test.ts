import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { OP_STATUS } from '../../core/status.ts';
import { GRPC_STATUS, GrpcCallError, STATUS_TRAILER } from './status-map.ts';

describe('GRPC_STATUS', () => {
  it('maps every store status, answers to null and failures to codes', () => {
    expect(Object.keys(GRPC_STATUS).sort()).toEqual(Object.values(OP_STATUS).sort());
    expect(GRPC_STATUS.NOT_FOUND).toBeNull();
    expect(GRPC_STATUS.NOT_APPLIED).toBeNull();
    expect(GRPC_STATUS.OOM).toBe(status.RESOURCE_EXHAUSTED);
    expect(GRPC_STATUS.TOO_LARGE).toBe(status.INVALID_ARGUMENT);
    expect(GRPC_STATUS.PERSISTENCE_FAILED).toBe(status.UNAVAILABLE);
  });
});

describe('GrpcCallError', () => {
  it('carries the store status in a trailer', () => {
    const error = GrpcCallError.fromOpStatus('OOM', 'set');
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    const sent = error?.toServiceError();
    expect(sent?.details).toBe('set: OOM');
    expect(sent?.metadata?.get(STATUS_TRAILER)).toEqual(['OOM']);
    expect(GrpcCallError.fromOpStatus('NOT_FOUND', 'get')).toBeUndefined();
  });
});
