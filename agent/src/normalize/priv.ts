// vigil_priv_body -> ECS. arg[] and the strings mean what the table above
// struct vigil_priv_body in bpf/events.h says; extras go under vigil.<action>.
import type { EcsEvent, EventCategory } from '../model/ecs-event';
import { errnoFromRet } from './errno';
import { familyName, socketTypeName } from './net-names';
import {
  bpfCmdName, bpfProgTypeName, capNames, CLONE_NS_FLAGS, DELETE_MODULE_FLAGS, fileTypeName, flagNames,
  MEMFD_FLAGS, MODULE_INIT_FLAGS, MOUNT_FLAGS, ptraceRequestName, syscallName, UMOUNT_FLAGS,
} from './priv-names';
import type { FamilyNormalizer, RawRecord } from './types';

const ID_UNCHANGED = 0xffffffffn;
const BPF_PROG_LOAD = 5;

const CATEGORY: Record<string, { category: EventCategory[]; type: string[] }> = {
  setuid: { category: ['iam'], type: ['change'] },
  setgid: { category: ['iam'], type: ['change'] },
  capset: { category: ['iam'], type: ['change'] },
  ptrace: { category: ['process'], type: ['access'] },
  'module-load': { category: ['driver'], type: ['start'] },
  'module-unload': { category: ['driver'], type: ['end'] },
  bpf: { category: ['configuration', 'host'], type: ['change'] },
  'memfd-create': { category: ['process'], type: ['creation'] },
  mount: { category: ['configuration', 'file'], type: ['change'] },
  umount: { category: ['configuration', 'file'], type: ['change'] },
  unshare: { category: ['process'], type: ['change'] },
  setns: { category: ['process'], type: ['change'] },
  'dup-stdio': { category: ['process'], type: ['change'] },
  'set-name': { category: ['process'], type: ['change'] },
};

/** arg[0..5] as bigints from the 48-byte u64[6] buffer; undefined if malformed. */
function readArgs(rec: RawRecord): bigint[] | undefined {
  const raw = rec.body.arg;
  if (!Buffer.isBuffer(raw) || raw.length < 48) return undefined;
  return [0, 1, 2, 3, 4, 5].map((i) => raw.readBigUInt64LE(i * 8));
}

const str = (rec: RawRecord, i: number): string => rec.strings[i]?.toString('utf8') ?? '';
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
/** An id argument: -1 when the call left it unchanged. */
const idArg = (v: bigint): number => (BigInt.asUintN(32, v) === ID_UNCHANGED ? -1 : u32(v));

function fill(action: string, a: bigint[], rec: RawRecord, ev: EcsEvent): boolean {
  const v = ev.vigil;
  switch (action) {
    case 'setuid':
    case 'setgid':
      v[action] = { real: idArg(a[0]), effective: idArg(a[1]), saved: idArg(a[2]), syscall: syscallName(Number(a[3])) };
      return true;
    case 'capset':
      v.capset = {
        effective: capNames(a[0]), permitted: capNames(a[1]), inheritable: capNames(a[2]),
        target_pid: s32(a[3]),
      };
      return true;
    case 'ptrace':
      v.ptrace = { request: ptraceRequestName(Number(a[0])), request_code: Number(a[0]), target_pid: s32(a[1]), addr: `0x${a[2].toString(16)}` };
      return true;
    case 'module-load': {
      const fd = Number(BigInt.asIntN(64, a[0]));
      v.module = { fd, size: Number(a[1]), flags: flagNames(a[2], MODULE_INIT_FLAGS), params: str(rec, 1), syscall: fd < 0 ? 'init_module' : 'finit_module' };
      if (str(rec, 0)) ev.file = { path: str(rec, 0) };
      return true;
    }
    case 'module-unload':
      v.module = { name: str(rec, 0), flags: flagNames(a[0], DELETE_MODULE_FLAGS) };
      return true;
    case 'bpf': {
      const cmd = u32(a[0]);
      v.bpf = { cmd: bpfCmdName(cmd), cmd_code: cmd, attr_size: u32(a[2]) };
      if (cmd === BPF_PROG_LOAD) Object.assign(v.bpf as object, { prog_type: bpfProgTypeName(u32(a[1])), prog_name: str(rec, 0) });
      return true;
    }
    case 'memfd-create':
      v.memfd = { name: str(rec, 0), flags: flagNames(a[0], MEMFD_FLAGS) };
      return true;
    case 'mount':
      v.mount = { source: str(rec, 0), target: str(rec, 1), fstype: str(rec, 2), flags: flagNames(a[0], MOUNT_FLAGS) };
      ev.file = { path: str(rec, 1) };
      return true;
    case 'umount':
      v.mount = { target: str(rec, 0), flags: flagNames(a[0], UMOUNT_FLAGS) };
      ev.file = { path: str(rec, 0) };
      return true;
    case 'unshare':
      v.unshare = { flags: flagNames(a[0], CLONE_NS_FLAGS), flags_raw: Number(a[0]) };
      return true;
    case 'setns':
      // nstype 0 lets the fd decide which namespace is joined.
      v.setns = { fd: s32(a[0]), nstype: flagNames(a[1], CLONE_NS_FLAGS), target: str(rec, 0) };
      return true;
    case 'dup-stdio': {
      const fileType = fileTypeName(u32(a[2]));
      const dup: Record<string, unknown> = { oldfd: s32(a[0]), newfd: s32(a[1]), file_type: fileType, syscall: syscallName(Number(a[5])) };
      if (fileType === 'socket') Object.assign(dup, { socket_family: familyName(Number(a[3])), socket_type: socketTypeName(Number(a[4])) });
      else if (fileType === 'pipe' && a[3] > 0n) dup.pipe_inode = Number(a[3]);
      if (str(rec, 0)) dup.path = str(rec, 0);
      v.dup = dup;
      return true;
    }
    case 'set-name':
      v.set_name = { name: str(rec, 0), syscall: 'prctl' };
      return true;
    default:
      return false;
  }
}

export const normalizePriv: FamilyNormalizer = (rec, ev) => {
  const args = readArgs(rec);
  const ret = rec.body.ret;
  const meta = CATEGORY[ev.event.action];
  if (!args || typeof ret !== 'number' || !meta) return false;
  ev.event.category = meta.category.slice();
  ev.event.type = meta.type.slice();
  ev.vigil.ret = ret;
  ev.event.outcome = ret < 0 ? 'failure' : 'success';
  if (ret < 0) ev.vigil.errno = errnoFromRet(ret);
  return fill(ev.event.action, args, rec, ev);
};
