// Process family: exec (and failed exec), fork, exit. Strings for exec are
// [0] executable, [1] argv NUL-separated, [2] cwd, [3] environment head
// (bpf/process.bpf.c).
import { FLAG_DENIED, FLAG_RESPONDED, FLAG_THREAD } from './common';
import { watchedEnvVars } from './env-vars';
import { errnoName } from './errno';
import type { EntityIdCache } from './entity-cache';
import type { EcsEvent } from '../model/ecs-event';
import type { FamilyNormalizer, NormalizeContext, RawRecord } from './types';

export const MAX_ARGS = 32;
const EV_EXEC = 1;
const EV_FORK = 2;
const EV_EXIT = 3;

const str = (rec: RawRecord, i: number): string => (i < rec.strings.length ? rec.strings[i].toString('utf8') : '');

/** Split a NUL-separated argv blob; the kernel's final NUL is not an extra empty arg. */
export function splitArgs(blob: Buffer, max = MAX_ARGS): { args: string[]; count: number; capped: boolean } {
  const args: string[] = [];
  let count = 0;
  let start = 0;
  const end = blob.length > 0 && blob[blob.length - 1] === 0 ? blob.length - 1 : blob.length;
  if (end === 0 && blob.length <= 1) return { args, count: 0, capped: false };
  for (let i = 0; i <= end; i++) {
    if (i < end && blob[i] !== 0) continue;
    if (count < max) args.push(blob.toString('utf8', start, i));
    count++;
    start = i + 1;
  }
  return { args, count, capped: count > max };
}

function normalizeExec(rec: RawRecord, ev: EcsEvent, ctx: NormalizeContext): void {
  const ret = rec.body.ret as number;
  const cwd = str(rec, 2);
  const exe = ctx.joinPath(cwd, str(rec, 0));
  ev.event.type = ['start'];
  ev.process.executable = exe.path;
  if (exe.unresolved) ev.vigil.path_unresolved = true;
  if (cwd) ev.process.working_directory = cwd;
  if (rec.strings.length > 1 && rec.strings[1].length > 0) {
    const { args, count, capped } = splitArgs(rec.strings[1]);
    ev.process.args = args;
    ev.process.args_count = count;
    ev.process.command_line = args.join(' ');
    if (capped) ev.vigil.truncated = true;
  }
  ev.vigil.ret = ret;
  if (ret < 0) {
    ev.event.outcome = 'failure';
    ev.vigil.errno = errnoName(ret);
    return;
  }
  ev.event.outcome = 'success';
  ev.vigil.exe_ino = rec.body.exe_ino as number;
  ev.vigil.args_size = rec.body.args_size as number;
  const env = watchedEnvVars(rec.strings[3]);
  if (env) ev.process.env_vars = env;
  if (rec.body.exe_nlink === 0) ev.vigil.exe_deleted = true;
  if (rec.flags & FLAG_DENIED) {
    // The kernel killed the new image before its first instruction (exec block).
    ev.event.type = ['start', 'denied'];
    ev.event.outcome = 'failure';
    ev.vigil.response = { action: 'kill', signal: 9, reason: 'exec-block', policy: 'agent --block-exec' };
  }
  if (rec.flags & FLAG_RESPONDED) ev.vigil.response = kernelResponse(rec);
}

const REFUSED: Record<number, string> = { 1: 'its tree holds the agent', 2: 'rate limited', 3: 'its executable is on the response allow-list' };

/** What the kernel did at this exec for a rule it carries out itself (bpf/lib/respond.h). */
export interface KernelExecResponse {
  by: 'kernel';
  action: 'kill' | 'kill-tree';
  /** The agent's index of the rule (logged by the agent when it fills the kernel's table). */
  rule_index: number;
  /** Processes sent SIGKILL, this one included. */
  signalled: number;
  /** From the exec to the last signal sent. */
  latency_us: number;
  /** Set when the kernel did nothing. */
  refused?: string;
}

function kernelResponse(rec: RawRecord): KernelExecResponse {
  const refused = rec.body.respond_refused as number;
  return {
    by: 'kernel',
    action: rec.body.respond_action === 2 ? 'kill-tree' : 'kill',
    rule_index: rec.body.respond_rule as number,
    signalled: rec.body.respond_signalled as number,
    latency_us: Math.round((rec.body.respond_ns as number) / 100) / 10,
    ...(refused ? { refused: REFUSED[refused] ?? `refused (${refused})` } : {}),
  };
}

function normalizeFork(rec: RawRecord, ev: EcsEvent, entityIds: EntityIdCache): void {
  const childPid = rec.body.child_pid as number;
  ev.event.type = ['start'];
  ev.vigil.child = {
    pid: childPid,
    tid: rec.body.child_tid as number,
    entity_id: entityIds.get(childPid, rec.body.child_start_boottime as bigint),
    start_boottime_ns: (rec.body.child_start_boottime as bigint).toString(),
    ...(rec.flags & FLAG_THREAD ? { thread: true } : {}),
  };
}

function normalizeExit(rec: RawRecord, ev: EcsEvent): void {
  ev.event.type = ['end'];
  ev.process.exit_code = rec.body.exit_code as number;
  ev.vigil.signal = rec.body.signal as number;
  ev.vigil.core_dumped = rec.body.core_dumped !== 0;
}

/** The process FamilyNormalizer; fork needs the shared entity-id cache for the child. */
export function createProcessNormalizer(entityIds: EntityIdCache): FamilyNormalizer {
  return (rec, ev, ctx) => {
    switch (rec.type) {
      case EV_EXEC: normalizeExec(rec, ev, ctx); return true;
      case EV_FORK: normalizeFork(rec, ev, entityIds); return true;
      case EV_EXIT: normalizeExit(rec, ev); return true;
      default: return false;
    }
  };
}
