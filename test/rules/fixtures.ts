// Test helpers: build EcsEvents and write rule trees into temp directories.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EcsEvent, EventAction } from '../../agent/src/model/ecs-event';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
      ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

let seq = 0;

export function makeEvent(action: EventAction, over: DeepPartial<EcsEvent> & Record<string, unknown> = {}): EcsEvent {
  seq++;
  const base: EcsEvent = {
    '@timestamp': '2024-05-01T10:00:00.000Z',
    event: { kind: 'event', category: ['process'], action, outcome: 'success', id: `e${seq}` },
    process: {
      pid: 1234, entity_id: 'ent-1234', name: 'bash', executable: '/usr/bin/bash', args: ['bash', '-c', 'id'],
      command_line: 'bash -c id', working_directory: '/home/alice', thread: { id: 1234 },
      parent: { pid: 1000, entity_id: 'ent-1000', executable: '/usr/sbin/sshd', command_line: 'sshd: alice' },
      ancestors: [
        { pid: 1000, entity_id: 'ent-1000', executable: '/usr/sbin/sshd', args: ['sshd:', 'alice'] },
        { pid: 1, entity_id: 'ent-1', executable: '/usr/lib/systemd/systemd', args: ['/sbin/init'] },
      ],
    },
    user: { id: '1000', name: 'alice', effective: { id: '1000' } },
    host: { name: 'web-1' },
    vigil: { cgroup_id: '1', mnt_ns: 1, pid_ns: 1, start_boottime_ns: '1', ts_boot_ns: '1' },
  };
  return merge(base as unknown as Record<string, unknown>, over) as unknown as EcsEvent;
}

/** Event at `sec` seconds after a fixed base time. */
export const at = (sec: number): string => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + sec * 1000).toISOString();

export function tempDir(prefix = 'vigil-rules-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `files` (relative path -> text) under a new temp dir; returns the dir. */
export function writeRules(files: Record<string, string>, dir = tempDir()): string {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/** A minimal process_creation rule with the given detection body. */
export function execRule(id: string, detection: string, extra = ''): string {
  return `title: ${id}\nid: ${id}\nlevel: high\n${extra}logsource:\n  product: linux\n  category: process_creation\ndetection:\n${detection}\n`;
}
