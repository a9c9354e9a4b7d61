import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { OP_STATUS } from '../../core/status.ts';
import { GRPC_STATUS, GrpcCallError, MOVED_TRAILER, STATUS_TRAILER } from './status-map.ts';

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

describe('GrpcCallError.fromRefusal', () => {
  it('maps cluster refusals, with the owner in the mlcache-moved trailer for MOVED', () => {
    const moved = GrpcCallError.fromRefusal({
      reason: 'MOVED',
      message: 'MOVED 7 10.0.0.2:6379',
      moved: '7 10.0.0.2:7379',
    }).toServiceError();
    expect(moved.code).toBe(status.FAILED_PRECONDITION);
    expect(moved.metadata?.get(STATUS_TRAILER)).toEqual(['MOVED']);
    expect(moved.metadata?.get(MOVED_TRAILER)).toEqual(['7 10.0.0.2:7379']);
    const again = GrpcCallError.fromRefusal({ reason: 'TRYAGAIN', message: 'later' });
    expect(again.code).toBe(status.UNAVAILABLE);
    expect(again.toServiceError().metadata?.get(MOVED_TRAILER)).toEqual([]);
  });
});
