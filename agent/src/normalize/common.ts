// Record header -> the base EcsEvent every family normalizer starts from:
// time, process identity, users, host and the vigil.* header extras.
// event.action comes from the wire type; category is the family's default,
// which the family normalizer may refine.
import { EVENT_TYPES } from '../decode/layout';
import type { EcsEvent, EventAction, EventCategory } from '../model/ecs-event';
import type { BootClock } from './boot-clock';
import type { EntityIdCache } from './entity-cache';
import type { RawRecord } from './types';

export const FLAG_TRUNCATED = 1 << 0;
export const FLAG_PATH_UNRESOLVED = 1 << 1;
export const FLAG_NO_TASK_CTX = 1 << 2;
export const FLAG_THREAD = 1 << 3;
export const FLAG_DENIED = 1 << 4;
export const FLAG_RESPONDED = 1 << 5;
export const LOGINUID_UNSET = 4294967295;

export interface HeaderEnv {
  hostName: string;
  bootId: string;
  clock: BootClock;
  entityIds: EntityIdCache;
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
}

/** VIGIL_EV_TCP_STATE -> "tcp-state": the C enum name is the action name. */
export function actionFromCName(cName: string): EventAction {
  return cName.replace(/^VIGIL_EV_/, '').toLowerCase().replace(/_/g, '-') as EventAction;
}

/** Wire number ranges (events.h): 1-9 process, 10-29 file, 30-39 net, 40-69 privilege. */
export function familyOf(code: number): 'process' | 'file' | 'net' | 'priv' | undefined {
  if (code >= 1 && code <= 9) return 'process';
  if (code >= 10 && code <= 29) return 'file';
  if (code >= 30 && code <= 39) return 'net';
  if (code >= 40 && code <= 69) return 'priv';
  return undefined;
}

const DEFAULT_CATEGORY: Record<string, EventCategory[]> = { process: ['process'], file: ['file'], net: ['network'], priv: [] };

const ACTION_BY_CODE: (EventAction | undefined)[] = [];
for (const et of EVENT_TYPES) ACTION_BY_CODE[et.code] = actionFromCName(et.cName);

/** event.id: the process, the thread and the kernel time make it unique (the store rebuilds it from them). */
export const eventId = (entityId: string, tid: unknown, tsBootNs: unknown): string => `${entityId}-${String(tid)}-${String(tsBootNs)}`;

export function mapHeader(rec: RawRecord, env: HeaderEnv): EcsEvent | undefined {
  const action = ACTION_BY_CODE[rec.type];
  if (action === undefined) return undefined;
  const ident = env.entityIds.lookup(rec.tgid, rec.start_boottime);
  const entityId = ident.id;
  if (ident.startGen !== env.clock.generation) {
    ident.startIso = env.clock.startToIso(rec.start_boottime);
    ident.startGen = env.clock.generation;
  }
  const tsBoot = rec.ts_ns.toString();
  const ev: EcsEvent = {
    '@timestamp': env.clock.toIso(rec.ts_ns),
    event: {
      kind: 'event',
      category: DEFAULT_CATEGORY[familyOf(rec.type) ?? 'priv'].slice(),
      action,
      code: rec.type,
      id: eventId(entityId, rec.tid, tsBoot),
    },
    process: {
      pid: rec.tgid,
      entity_id: entityId,
      name: rec.comm,
      start: ident.startIso,
      thread: { id: rec.tid },
      parent: { pid: rec.ppid },
    },
    user: {
      id: String(rec.uid),
      name: env.userName(rec.uid),
      effective: { id: String(rec.euid), name: env.userName(rec.euid) },
      group: { id: String(rec.gid), name: env.groupName(rec.gid) },
    },
    host: { name: env.hostName, boot: { id: env.bootId } },
    vigil: {
      cgroup_id: rec.cgroup_id.toString(),
      mnt_ns: rec.mnt_ns,
      pid_ns: rec.pid_ns,
      loginuid: rec.loginuid,
      start_boottime_ns: rec.start_boottime.toString(),
      ts_boot_ns: tsBoot,
    },
  };
  // Flags only appear when set, so the common event stays small.
  if (rec.flags & FLAG_TRUNCATED) ev.vigil.truncated = true;
  if (rec.flags & FLAG_PATH_UNRESOLVED) ev.vigil.path_unresolved = true;
  if (rec.flags & FLAG_NO_TASK_CTX) ev.vigil.no_task_context = true;
  return ev;
}
