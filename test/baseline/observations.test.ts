import { describe, expect, it } from 'vitest';
import { observe, serviceOf } from '../../agent/src/baseline/observations';
import type { EcsEvent } from '../../agent/src/model/ecs-event';

function ev(action: string, exe: string, extra: Partial<EcsEvent> = {}): EcsEvent {
  return {
    '@timestamp': '2026-01-01T00:00:00Z',
    event: { kind: 'event', category: ['file'], action: action as EcsEvent['event']['action'], outcome: 'success' },
    process: { pid: 1, entity_id: 'e', name: 'x', executable: exe, args: [exe, '-v'], thread: { id: 1 }, parent: { pid: 0, executable: '/usr/bin/bash' } },
    user: { id: '0', name: 'root' }, host: { name: 'h' },
    vigil: { cgroup_id: '1', mnt_ns: 1, pid_ns: 1, start_boottime_ns: '0', ts_boot_ns: '0' },
    ...extra,
  } as EcsEvent;
}

describe('observe', () => {
  it('an exec gives exe, lineage, user, service and command-line observations', () => {
    expect(observe(ev('exec', '/usr/bin/curl'), 'nginx.service')).toEqual([
      { profile: 'exe', context: '*', value: '/usr/bin/curl' },
      { profile: 'lineage', context: '/usr/bin/bash', value: '/usr/bin/curl' },
      { profile: 'user-exe', context: 'root', value: '/usr/bin/curl' },
      { profile: 'service-exe', context: 'nginx.service', value: '/usr/bin/curl' },
      { profile: 'cmdline', context: '/usr/bin/curl', value: '-v' },
    ]);
  });

  it('a file written and then executed keeps its own exe template (separate template caches)', () => {
    const path = '/opt/app/tool';
    expect(observe(ev('create', '/usr/bin/cp', { file: { path } }))).toEqual([
      { profile: 'file-write', context: '/usr/bin/cp', value: '/opt/app' },
      { profile: 'file-write', context: '*', value: '/opt/app' },
    ]);
    expect(observe(ev('exec', path))[0]).toEqual({ profile: 'exe', context: '*', value: path });
  });

  it('ordinary reads say nothing; sensitive reads and connects do', () => {
    expect(observe(ev('open', '/usr/bin/cat', { file: { path: '/etc/hosts' } }))).toEqual([]);
    expect(observe(ev('open', '/usr/bin/cat', { file: { path: '/etc/shadow' } }))).toEqual([
      { profile: 'file-read', context: '/usr/bin/cat', value: '/etc/shadow' },
      { profile: 'file-read', context: '*', value: '/etc/shadow' },
    ]);
    const c = ev('connect', '/usr/bin/python3', { destination: { ip: '10.1.2.3', port: 4444 }, network: { type: 'ipv4', transport: 'tcp' } });
    expect(observe(c)).toEqual([
      { profile: 'net-dest', context: '/usr/bin/python3', value: 'private port 4444' },
      { profile: 'net-dest', context: '*', value: 'private port 4444' },
      { profile: 'net-first', context: '/usr/bin/python3', value: 'outside loopback' },
    ]);
  });

  it('names the unit or container a cgroup belongs to', () => {
    expect(serviceOf('/system.slice/nginx.service', undefined)).toBe('nginx.service');
    expect(serviceOf('/user.slice/user-0.slice/session-12.scope', undefined)).toBe('session-<n>.scope');
    expect(serviceOf('/docker/abc', '0123456789abcdef')).toBe('container 0123456789ab');
    expect(serviceOf(undefined, undefined)).toBeUndefined();
  });
});
