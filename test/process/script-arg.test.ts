import { describe, expect, it } from 'vitest';
import { scriptArg } from '../../agent/src/process/script-arg';

describe('scriptArg', () => {
  it('finds the script an interpreter runs, resolved against the working directory', () => {
    expect(scriptArg('/usr/bin/bash', ['bash', 'x.sh'], '/tmp/w')).toBe('/tmp/w/x.sh');
    expect(scriptArg('/bin/sh', ['sh', '-e', './a/../b.sh', 'arg'], '/srv')).toBe('/srv/b.sh');
    expect(scriptArg('/usr/bin/python3.11', ['python3', '-u', '-W', 'ignore', '/opt/x.py'], '/')).toBe('/opt/x.py');
    expect(scriptArg('/usr/bin/perl', ['perl', '-w', 'x.pl'], '/root')).toBe('/root/x.pl');
    expect(scriptArg('/bin/busybox', ['sh', 's.sh'], '/d')).toBeUndefined(); // argv[1] is the script, but busybox's applet name is argv[0] here
    expect(scriptArg('/bin/busybox', ['busybox', 'sh', 's.sh'], '/d')).toBe('/d/s.sh');
  });

  it('none when the code is inline, from stdin or a module, or the binary is no interpreter', () => {
    expect(scriptArg('/usr/bin/bash', ['bash', '-c', 'x.sh'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/bash', ['bash', '-lc', 'x.sh'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/python3', ['python3', '-m', 'http.server'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/perl', ['perl', '-e', 'print 1'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/bash', ['bash', '-'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/bash', ['bash'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/cat', ['cat', 'x.sh'], '/t')).toBeUndefined();
    expect(scriptArg('/usr/bin/bash', ['bash', 'rel.sh'], undefined)).toBeUndefined();
  });
});
