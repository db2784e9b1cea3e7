import { describe, expect, it } from 'vitest';
import { joinPath, normalizeAbsolute } from '../../agent/src/normalize/paths';

describe('joinPath', () => {
  it('keeps absolute paths, folding . and .. and repeated slashes', () => {
    expect(joinPath('', '/etc/passwd')).toEqual({ path: '/etc/passwd', unresolved: false });
    expect(joinPath('/ignored', '/a/./b//c/../d/')).toEqual({ path: '/a/b/d', unresolved: false });
    expect(joinPath('', '/../../x')).toEqual({ path: '/x', unresolved: false });
    expect(joinPath('', '/home/u/.bashrc').path).toBe('/home/u/.bashrc');
  });

  it('joins a relative path onto the base directory', () => {
    expect(joinPath('/tmp/work', 'out.txt')).toEqual({ path: '/tmp/work/out.txt', unresolved: false });
    expect(joinPath('/tmp/work', '../etc/./x')).toEqual({ path: '/tmp/etc/x', unresolved: false });
    expect(joinPath('/', 'etc')).toEqual({ path: '/etc', unresolved: false });
    expect(joinPath('/tmp/work', '')).toEqual({ path: '/tmp/work', unresolved: false });
  });

  it('reports unresolved when the path is relative and the base is missing', () => {
    expect(joinPath('', 'a/../b')).toEqual({ path: 'a/../b', unresolved: true });
  });

  it('normalizeAbsolute never climbs above the root', () => {
    expect(normalizeAbsolute('/..')).toBe('/');
    expect(normalizeAbsolute('//')).toBe('/');
    expect(normalizeAbsolute('/a/b/../../..')).toBe('/');
  });
});
