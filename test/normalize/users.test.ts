import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdNameCache, parseIdFile } from '../../agent/src/normalize/users';

describe('parseIdFile', () => {
  it('maps ids to names and skips malformed lines', () => {
    const m = parseIdFile('root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\nnoid:x::1\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    expect([...m.entries()]).toEqual([[0, 'root'], [1000, 'alice']]);
  });
});

describe('IdNameCache', () => {
  let dir: string | undefined;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('resolves users and groups, and re-reads on a miss only after refreshMs', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-users-'));
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(group, 'wheel:x:10:\n');
    let now = 0;
    const c = new IdNameCache({ passwdPath: passwd, groupPath: group, refreshMs: 5000, now: () => now });
    expect(c.userName(0)).toBe('root');
    expect(c.groupName(10)).toBe('wheel');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n');
    now = 1000;
    expect(c.userName(1001)).toBeUndefined(); // too soon to re-read
    now = 6000;
    expect(c.userName(1001)).toBe('bob');
  });

  it('reads the real /etc/passwd by default', () => {
    expect(new IdNameCache().userName(0)).toBe('root');
  });

  it('leaves names undefined when the files are unreadable', () => {
    const c = new IdNameCache({ passwdPath: '/nonexistent/passwd', groupPath: '/nonexistent/group' });
    expect(c.userName(0)).toBeUndefined();
    expect(c.groupName(0)).toBeUndefined();
  });
});
