import { describe, expect, it } from 'vitest';
import { errnoFromRet, errnoName } from '../../agent/src/normalize/errno';

describe('errno', () => {
  it('names errno values of either sign', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(-13)).toBe('EACCES');
    expect(errnoName(-111)).toBe('ECONNREFUSED');
    expect(errnoName(-512)).toBe('ERESTARTSYS');
  });

  it('falls back to E<n> and only names negative returns', () => {
    expect(errnoName(9999)).toBe('E9999');
    expect(errnoFromRet(3)).toBeUndefined();
    expect(errnoFromRet(-1)).toBe('EPERM');
  });
});
