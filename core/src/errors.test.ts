import { describe, expect, it } from 'vitest';
import { ServiceError } from './errors.ts';

describe('ServiceError', () => {
  it('is recognised across copies of the module (the web bundle has its own)', async () => {
    const copy = (await import('./errors.ts?copy' as string)) as typeof import('./errors.ts');
    expect(copy.ServiceError).not.toBe(ServiceError);
    const fromCopy = new copy.ServiceError('NOT_FOUND', 'No such fair');
    expect(fromCopy instanceof ServiceError).toBe(true);
    expect(new ServiceError('CONFLICT', 'x') instanceof copy.ServiceError).toBe(true);
    expect(new Error('plain') instanceof ServiceError).toBe(false);
    expect((null as unknown) instanceof ServiceError).toBe(false);
    expect({ code: 'NOT_FOUND' } instanceof ServiceError).toBe(false);
    expect(fromCopy).toBeInstanceOf(Error);
    expect(fromCopy.code).toBe('NOT_FOUND');
  });
});
