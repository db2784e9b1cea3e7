import { describe, expect, it } from 'vitest';
import { RuleSyntaxError } from '../../agent/src/rules/errors';
import { compileRule, det, matches } from './compile-helper';
import { makeEvent } from './fixtures';

describe('detection structure', () => {
  it('a map is an AND of its fields', () => {
    const r = det('  sel:\n    Image|endswith: /bash\n    User: alice\n  condition: sel');
    expect(matches(r, makeEvent('exec'))).toBe(true);
    expect(matches(r, makeEvent('exec', { user: { name: 'bob' } }))).toBe(false);
  });

  it('a list of maps is an OR', () => {
    const r = det('  sel:\n    - Image|endswith: /python3\n    - User: alice\n      CurrentDirectory: /tmp\n  condition: sel');
    expect(matches(r, makeEvent('exec', { process: { executable: '/usr/bin/python3' } }))).toBe(true);
    expect(matches(r, makeEvent('exec', { process: { working_directory: '/tmp' } }))).toBe(true);
    expect(matches(r, makeEvent('exec'))).toBe(false);
  });

  it('keyword lists search every string value of the event', () => {
    const r = det('  keywords:\n    - mimikatz\n    - /DEV/SHM/\n  condition: keywords');
    expect(matches(r, makeEvent('exec', { process: { command_line: 'run /dev/shm/x' } }))).toBe(true);
    expect(matches(r, makeEvent('exec', { process: { parent: { command_line: 'MIMIKATZ.exe' } } }))).toBe(true);
    expect(matches(r, makeEvent('exec'))).toBe(false);
    const all = det("  kw:\n    '|all':\n      - bash\n      - alice\n  condition: kw");
    expect(matches(all, makeEvent('exec'))).toBe(true);
    expect(matches(all, makeEvent('exec', { user: { name: 'bob' }, process: { working_directory: '/', parent: { command_line: 'x' }, ancestors: [] } }))).toBe(false);
  });

  it('null matches an absent or empty field', () => {
    const r = det('  sel:\n    Container: null\n  condition: sel');
    expect(matches(r, makeEvent('exec'))).toBe(true);
    expect(matches(r, makeEvent('exec', { container: { id: '' } }))).toBe(true);
    expect(matches(r, makeEvent('exec', { container: { id: 'c0ffee' } }))).toBe(false);
    const notNull = det('  sel:\n    Container: null\n  condition: not sel');
    expect(matches(notNull, makeEvent('exec', { container: { id: 'c0ffee' } }))).toBe(true);
  });

  it('numbers and booleans', () => {
    const r = det('  sel:\n    DestinationPort: 4444\n    Initiated: true\n  condition: sel', 'network_connection');
    expect(matches(r, makeEvent('connect', { destination: { ip: '1.2.3.4', port: 4444 } }))).toBe(true);
    expect(matches(r, makeEvent('accept', { destination: { ip: '1.2.3.4', port: 4444 } }))).toBe(false);
    expect(matches(r, makeEvent('connect', { destination: { ip: '1.2.3.4', port: 4445 } }))).toBe(false);
    const b = det('  sel:\n    StdioSocket: true\n  condition: sel');
    expect(matches(b, makeEvent('exec', { vigil: { context: { stdio_socket: true } } }))).toBe(true);
    expect(matches(b, makeEvent('exec', { vigil: { context: { stdio_socket: false } } }))).toBe(false);
  });

  it('list-valued fields match when any element matches', () => {
    const r = det('  sel:\n    Ancestors|endswith: /sshd\n  condition: sel');
    expect(matches(r, makeEvent('exec'))).toBe(true);
    expect(matches(r, makeEvent('exec', { process: { ancestors: [{ pid: 1, entity_id: 'x', executable: '/sbin/init' }] } }))).toBe(false);
    const flags = det('  sel:\n    Flags: O_TRUNC\n  condition: sel', 'file_event');
    const open = makeEvent('open', { file: { path: '/etc/passwd' }, vigil: { flag_names: ['O_WRONLY', 'O_TRUNC'] } });
    expect(matches(flags, open)).toBe(true);
    const acl = det('  sel:\n    AncestorCommandLines|contains: alice\n  condition: sel');
    expect(matches(acl, makeEvent('exec'))).toBe(true);
  });

  it('dotted ECS paths resolve against the event', () => {
    const r = det("  sel:\n    vigil.ptrace.request: PTRACE_ATTACH\n  condition: sel", 'vigil_ptrace');
    expect(matches(r, makeEvent('ptrace', { vigil: { ptrace: { request: 'PTRACE_ATTACH' } } }))).toBe(true);
    expect(matches(r, makeEvent('ptrace', { vigil: { ptrace: { request: 'PTRACE_PEEKDATA' } } }))).toBe(false);
    const args = det('  sel:\n    process.args: -c\n  condition: sel');
    expect(matches(args, makeEvent('exec'))).toBe(true);
  });

  it('unknown fields and malformed identifiers are rule errors', () => {
    expect(() => det('  sel:\n    NoSuchField: x\n  condition: sel')).toThrow(/unknown field 'NoSuchField'/);
    expect(() => det('  sel: 12\n  sel2: {}\n  condition: sel')).toThrow(RuleSyntaxError);
    expect(() => det('  sel:\n    - a\n    - k: v\n  condition: sel')).toThrow(/only maps or only keywords/);
    expect(() => det('  sel:\n    Image:\n      a: b\n  condition: sel')).toThrow(/value must be/);
  });
});

describe('field mapping', () => {
  const ev = makeEvent('exec', {
    process: { pid: 77, name: 'curl', executable: '/usr/bin/curl', command_line: 'curl -s x', working_directory: '/tmp', parent: { pid: 55, executable: '/bin/sh', command_line: 'sh -c curl' }, exit_code: 3 },
    user: { id: '0', name: 'root', effective: { id: '0' }, group: { id: '0' } },
    container: { id: 'abc123' },
    event: { outcome: 'success' },
    vigil: { loginuid: 1000, errno: 'EPERM', context: { stdio_socket: true, exec_written_ago_ms: 50, recent_outbound: true, outbound_peers: ['1.2.3.4:80'] } },
  });
  const cases: [string, string][] = [
    ['Image', '/usr/bin/curl'], ['CommandLine', 'curl -s x'], ['OriginalFileName', 'curl'], ['CurrentDirectory', '/tmp'],
    ['User', 'root'], ['ProcessId', '77'], ['ParentImage', '/bin/sh'], ['ParentCommandLine', 'sh -c curl'], ['ParentProcessId', '55'],
    ['Container', 'abc123'], ['Action', 'exec'], ['Comm', 'curl'], ['Uid', '0'], ['Euid', '0'], ['Gid', '0'], ['LoginUid', '1000'], ['LogonId', '1000'],
    ['Outcome', 'success'], ['Errno', 'EPERM'], ['StdioSocket', 'true'], ['ExecWrittenAgoMs', '50'], ['RecentOutbound', 'true'],
    ['OutboundPeers', '1.2.3.4:80'], ['Hostname', 'web-1'], ['ExitCode', '3'], ['ProcessGuid', 'ent-1234'],
  ];
  for (const [field, value] of cases) {
    it(`${field} = ${value}`, () => {
      const r = compileRule(`title: t\nlogsource: {product: vigil}\ndetection:\n  sel:\n    ${field}: '${value}'\n  condition: sel`);
      expect(matches(r, ev)).toBe(true);
      const miss = compileRule(`title: t\nlogsource: {product: vigil}\ndetection:\n  sel:\n    ${field}: 'zz-no'\n  condition: sel`);
      expect(matches(miss, ev)).toBe(false);
    });
  }

  it('file and network fields', () => {
    const rename = makeEvent('rename', { file: { path: '/tmp/a', target_path: '/usr/bin/a' } });
    expect(matches(det('  s:\n    TargetFilename: /usr/bin/a\n    SourceFilename: /tmp/a\n  condition: s', 'file_rename'), rename)).toBe(true);
    const chmod = makeEvent('chmod', { file: { path: '/tmp/x', mode: '04755' } });
    expect(matches(det("  s:\n    TargetFilename: /tmp/x\n    Mode: '04755'\n  condition: s", 'file_event'), chmod)).toBe(true);
    const conn = makeEvent('connect', { source: { ip: '10.0.0.2', port: 5555 }, destination: { ip: '8.8.8.8', port: 53, address: 'dns.google' }, network: { transport: 'udp', type: 'ipv4' }, vigil: { family: 'AF_INET', socket_type: 'SOCK_DGRAM' } });
    const r = det('  s:\n    SourceIp: 10.0.0.2\n    SourcePort: 5555\n    DestinationHostname: dns.google\n    Protocol: udp\n    Family: AF_INET\n    SocketType: SOCK_DGRAM\n    Initiated: "true"\n  condition: s', 'network_connection');
    expect(matches(r, conn)).toBe(true);
  });
});

describe('logsource', () => {
  const open = (flags: string[], outcome: 'success' | 'failure' = 'success') =>
    makeEvent('open', { event: { category: ['file'], outcome }, file: { path: '/etc/shadow' }, vigil: { flag_names: flags } });
  const body = '  s:\n    TargetFilename: /etc/shadow\n  condition: s';

  it('file_event sees opens for write, file_access opens for read', () => {
    const fe = det(body, 'file_event');
    const fa = det(body, 'file_access');
    expect(matches(fe, open(['O_WRONLY']))).toBe(true);
    expect(matches(fe, open(['O_RDONLY', 'O_CREAT']))).toBe(true);
    expect(matches(fe, open(['O_RDONLY']))).toBe(false);
    expect(matches(fa, open(['O_RDONLY']))).toBe(true);
    expect(matches(fa, open(['O_RDWR']))).toBe(false);
    // numeric flags when names are absent: O_WRONLY = 1
    const numeric = makeEvent('open', { file: { path: '/etc/shadow' }, vigil: { flags: 1 } });
    expect(matches(fe, numeric)).toBe(true);
    expect(matches(fa, numeric)).toBe(false);
  });

  it('standard categories only see successful operations; vigil ones see failures too', () => {
    expect(matches(det(body, 'file_event'), open(['O_WRONLY'], 'failure'))).toBe(false);
    const any = compileRule(`title: t\nlogsource: {product: vigil}\ndetection:\n${body}`);
    expect(matches(any, open(['O_WRONLY'], 'failure'))).toBe(true);
    const priv = det('  s:\n    Outcome: failure\n  condition: s', 'vigil_privilege');
    expect(matches(priv, makeEvent('setuid', { event: { outcome: 'failure' } }))).toBe(true);
  });

  it('categories restrict actions', () => {
    const r = det('  s:\n    User: alice\n  condition: s', 'vigil_namespace');
    expect([...(r.actions ?? [])].sort()).toEqual(['setns', 'unshare']);
    expect(matches(r, makeEvent('unshare'))).toBe(true);
    expect(matches(r, makeEvent('exec'))).toBe(false);
    expect(compileRule('title: t\nlogsource: {category: network_connection}\ndetection: {s: {User: x}, condition: s}').actions).toEqual(new Set(['connect', 'accept']));
  });

  it('rejects unsupported logsources', () => {
    for (const ls of ['{product: windows, category: process_creation}', '{product: linux, service: sshd}', '{product: linux, category: nope}', '{product: linux}']) {
      expect(() => compileRule(`title: t\nlogsource: ${ls}\ndetection: {s: {User: x}, condition: s}`), ls).toThrow(RuleSyntaxError);
    }
  });
});
