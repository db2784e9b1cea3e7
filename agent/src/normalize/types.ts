// Contract between the record decoder and the per-family normalizers.
import type { EcsEvent } from '../model/ecs-event';

/** One decoded kernel record (bpf/events.h), before ECS mapping. */
export interface RawRecord {
  type: number;
  size: number;
  flags: number;
  nstr: number;
  ts_ns: bigint;
  start_boottime: bigint;
  cgroup_id: bigint;
  tgid: number;
  tid: number;
  ppid: number;
  uid: number;
  gid: number;
  euid: number;
  loginuid: number;
  mnt_ns: number;
  pid_ns: number;
  comm: string;
  /** Body fields by the C field name; u64/s64 as bigint, arrays as Buffer. */
  body: Record<string, number | bigint | Buffer>;
  /** The record's strings, in order, raw bytes. */
  strings: Buffer[];
}

export interface NormalizeContext {
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
  /** Join a path argument with the base dir the kernel sent (empty if absolute). */
  joinPath(base: string, path: string): { path: string; unresolved: boolean };
}

/**
 * Fills the action-specific parts of `ev` (event.action/category/type/outcome,
 * file/destination/... and vigil extras). The common header fields are already
 * mapped. Returns false to drop the record (e.g. a type it does not own).
 */
export type FamilyNormalizer = (rec: RawRecord, ev: EcsEvent, ctx: NormalizeContext) => boolean;
