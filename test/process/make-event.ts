// Synthetic normalized events for the process-model tests.
import type { EcsEvent, EventAction, EventCategory } from '../../agent/src/model/ecs-event';
import { entityIdFromNs } from '../../agent/src/process/entity-id';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

export interface Proc {
  pid: number;
  ppid: number;
  startNs: bigint;
  id: string;
}

export function proc(pid: number, ppid: number, startMs = pid): Proc {
  const startNs = BigInt(startMs) * 1_000_000n;
  return { pid, ppid, startNs, id: entityIdFromNs(pid, startNs, 'test-boot') };
}

const CATEGORY: Partial<Record<EventAction, EventCategory>> = {
  connect: 'network', accept: 'network', socket: 'network', bind: 'network', listen: 'network',
  open: 'file', create: 'file', rename: 'file', unlink: 'file', truncate: 'file', link: 'file',
};

export function ev(p: Proc, action: EventAction, atMs: number, extra: {
  process?: Partial<EcsEvent['process']>;
  vigil?: Record<string, unknown>;
  file?: EcsEvent['file'];
  destination?: EcsEvent['destination'];
  network?: EcsEvent['network'];
  outcome?: 'success' | 'failure';
  cgroupId?: string;
} = {}): EcsEvent {
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { kind: 'event', category: [CATEGORY[action] ?? 'process'], action, outcome: extra.outcome ?? 'success' },
    process: {
      pid: p.pid,
      entity_id: p.id,
      name: 'comm',
      thread: { id: p.pid },
      parent: { pid: p.ppid },
      ...extra.process,
    },
    user: { id: '0' },
    host: { name: 'test' },
    file: extra.file,
    destination: extra.destination,
    network: extra.network,
    vigil: {
      cgroup_id: extra.cgroupId ?? '1',
      mnt_ns: 1,
      pid_ns: 1,
      start_boottime_ns: p.startNs.toString(),
      ts_boot_ns: '0',
      ...extra.vigil,
    },
  };
}

export const fork = (parent: Proc, child: Proc, atMs: number) =>
  ev(parent, 'fork', atMs, { vigil: { child: { pid: child.pid, entity_id: child.id } } });

export const exec = (p: Proc, exe: string, args: string[], atMs: number, cwd = '/') =>
  ev(p, 'exec', atMs, { process: { executable: exe, args, working_directory: cwd } });

export const exit = (p: Proc, atMs: number, code = 0) => ev(p, 'exit', atMs, { process: { exit_code: code } });
