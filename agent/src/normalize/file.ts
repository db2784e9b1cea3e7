// vigil_file_body + its 4 strings -> ECS. Strings (bpf/file.bpf.c): [0] path
// as given, [1] its base dir when relative, [2] second path, [3] its base.
// file.path is always the object acted on: for symlink that is the new link
// (from [2]/[3]) and file.target_path the target text exactly as given.
import type { EcsEvent, EventAction } from '../model/ecs-event';
import { errnoFromRet } from './errno';
import { atFlagNames, FD_SYSCALLS, fileSyscallName, openFlagNames, openUsesMode, renameFlagNames } from './file-names';
import type { FamilyNormalizer, NormalizeContext, RawRecord } from './types';

const ID_UNCHANGED = 0xffffffff;

/** ECS event.type per action. */
const EVENT_TYPE: Partial<Record<EventAction, string>> = {
  open: 'access', create: 'creation', unlink: 'deletion', rename: 'change', chmod: 'change',
  chown: 'change', link: 'creation', symlink: 'creation', truncate: 'change', mkdir: 'creation',
  chdir: 'info',
};

interface FileBody {
  ret: number; dirfd: number; flags: number; mode: number; owner_uid: number; owner_gid: number;
  length: bigint; syscall_nr: number; repeat: number;
}

const NUM_KEYS = ['ret', 'dirfd', 'flags', 'mode', 'owner_uid', 'owner_gid', 'syscall_nr', 'repeat'] as const;

function readBody(rec: RawRecord): FileBody | undefined {
  const out: Record<string, number> = {};
  for (const k of NUM_KEYS) {
    const v = rec.body[k];
    if (typeof v !== 'number') return undefined;
    out[k] = v;
  }
  const length = rec.body.length;
  if (typeof length !== 'bigint') return undefined;
  return { ...(out as Omit<FileBody, 'length'>), length };
}

const str = (rec: RawRecord, i: number): string => rec.strings[i]?.toString('utf8') ?? '';

/** Joined absolute path, or undefined (and vigil.path_unresolved) when it cannot be. */
function resolve(ev: EcsEvent, ctx: NormalizeContext, base: string, path: string): string | undefined {
  if (base === '' && path === '') {
    ev.vigil.path_unresolved = true;
    return undefined;
  }
  const j = ctx.joinPath(base, path);
  if (j.unresolved) ev.vigil.path_unresolved = true;
  return j.path;
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

function setFlags(ev: EcsEvent, action: EventAction, syscall: string, flags: number): void {
  if (action === 'open' || action === 'create') {
    ev.vigil.flags = flags;
    ev.vigil.flag_names = openFlagNames(flags);
  } else if (flags !== 0) {
    ev.vigil.flags = flags;
    ev.vigil.flag_names = syscall === 'renameat2' ? renameFlagNames(flags) : atFlagNames(flags);
  }
}

function modeMatters(action: EventAction, flags: number): boolean {
  if (action === 'open') return openUsesMode(flags);
  return action === 'create' || action === 'mkdir' || action === 'chmod';
}

export const normalizeFile: FamilyNormalizer = (rec, ev, ctx) => {
  const b = readBody(rec);
  const type = EVENT_TYPE[ev.event.action];
  if (!b || !type) return false;
  const action = ev.event.action;
  const syscall = fileSyscallName(b.syscall_nr);

  ev.event.category = ['file'];
  ev.event.type = [type];
  ev.event.outcome = b.ret < 0 ? 'failure' : 'success';
  ev.vigil.ret = b.ret;
  const errno = errnoFromRet(b.ret);
  if (errno) ev.vigil.errno = errno;
  ev.vigil.syscall = syscall;
  if (FD_SYSCALLS.has(syscall)) ev.vigil.fd = b.dirfd;
  else ev.vigil.dirfd = b.dirfd;
  if (b.repeat > 0) ev.vigil.repeat = b.repeat;
  setFlags(ev, action, syscall, b.flags);

  const file: NonNullable<EcsEvent['file']> = {};
  if (action === 'symlink') {
    const link = resolve(ev, ctx, str(rec, 3), str(rec, 2));
    if (link !== undefined) file.path = link;
    file.target_path = str(rec, 0);
  } else {
    const first = resolve(ev, ctx, str(rec, 1), str(rec, 0));
    if (first !== undefined) file.path = first;
    if (action === 'rename' || action === 'link') {
      const second = resolve(ev, ctx, str(rec, 3), str(rec, 2));
      if (second !== undefined) file.target_path = second;
    }
  }
  if (modeMatters(action, b.flags)) file.mode = octal(b.mode);
  if (action === 'chown') {
    if (b.owner_uid !== ID_UNCHANGED) file.uid = String(b.owner_uid);
    if (b.owner_gid !== ID_UNCHANGED) file.gid = String(b.owner_gid);
  }
  if (action === 'truncate') file.size = Number(b.length);
  ev.file = file;
  return true;
};
