// TypeScript mirror of bpf/events.h. Every offset and size here is checked
// against the C compiler by test/decode/layout.test.ts, which generates a C
// program from these tables: change either side and that test fails.

export type FieldKind = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 's64' | 'char[]' | 'u8[]' | 'u64[]';

export interface FieldLayout {
  readonly name: string;   // C field name, also the key in RawRecord.body
  readonly offset: number;
  readonly size: number;   // bytes (whole array for array kinds)
  readonly kind: FieldKind;
}

export interface StructLayout {
  readonly name: string;   // C struct tag
  readonly size: number;   // sizeof(struct ...)
  readonly fields: readonly FieldLayout[];
}

const f = (name: string, offset: number, size: number, kind: FieldKind): FieldLayout => ({ name, offset, size, kind });

export const HDR: StructLayout = {
  name: 'vigil_hdr', size: 88, fields: [
    f('type', 0, 2, 'u16'), f('size', 2, 2, 'u16'), f('flags', 4, 2, 'u16'), f('nstr', 6, 2, 'u16'),
    f('ts_ns', 8, 8, 'u64'), f('start_boottime', 16, 8, 'u64'), f('cgroup_id', 24, 8, 'u64'),
    f('tgid', 32, 4, 'u32'), f('tid', 36, 4, 'u32'), f('ppid', 40, 4, 'u32'),
    f('uid', 44, 4, 'u32'), f('gid', 48, 4, 'u32'), f('euid', 52, 4, 'u32'),
    f('loginuid', 56, 4, 'u32'), f('mnt_ns', 60, 4, 'u32'), f('pid_ns', 64, 4, 'u32'),
    f('pad0', 68, 4, 'u32'), f('comm', 72, 16, 'char[]'),
  ],
};

export const EXEC_BODY: StructLayout = {
  name: 'vigil_exec_body', size: 32, fields: [
    f('ret', 0, 4, 's32'), f('args_size', 4, 4, 'u32'), f('exe_ino', 8, 4, 'u32'), f('exe_nlink', 12, 4, 'u32'),
    f('respond_rule', 16, 4, 'u32'), f('respond_action', 20, 2, 'u16'), f('respond_refused', 22, 2, 'u16'),
    f('respond_signalled', 24, 4, 'u32'), f('respond_ns', 28, 4, 'u32'),
  ],
};

export const FORK_BODY: StructLayout = {
  name: 'vigil_fork_body', size: 16, fields: [
    f('child_pid', 0, 4, 'u32'), f('child_tid', 4, 4, 'u32'), f('child_start_boottime', 8, 8, 'u64'),
  ],
};

export const EXIT_BODY: StructLayout = {
  name: 'vigil_exit_body', size: 16, fields: [
    f('exit_code', 0, 4, 's32'), f('signal', 4, 4, 's32'), f('core_dumped', 8, 4, 'u32'), f('pad0', 12, 4, 'u32'),
  ],
};

export const FILE_BODY: StructLayout = {
  name: 'vigil_file_body', size: 40, fields: [
    f('ret', 0, 4, 's32'), f('dirfd', 4, 4, 's32'), f('flags', 8, 4, 'u32'), f('mode', 12, 4, 'u32'),
    f('owner_uid', 16, 4, 'u32'), f('owner_gid', 20, 4, 'u32'), f('length', 24, 8, 's64'),
    f('syscall_nr', 32, 4, 'u32'), f('repeat', 36, 4, 'u32'),
  ],
};

export const NET_BODY: StructLayout = {
  name: 'vigil_net_body', size: 60, fields: [
    f('ret', 0, 4, 's32'), f('fd', 4, 4, 's32'), f('family', 8, 2, 'u16'), f('type', 10, 2, 'u16'),
    f('protocol', 12, 2, 'u16'), f('sport', 14, 2, 'u16'), f('dport', 16, 2, 'u16'),
    f('old_state', 18, 2, 'u16'), f('new_state', 20, 2, 'u16'), f('pad0', 22, 2, 'u16'),
    f('backlog', 24, 4, 'u32'), f('saddr', 28, 16, 'u8[]'), f('daddr', 44, 16, 'u8[]'),
  ],
};

export const PRIV_BODY: StructLayout = {
  name: 'vigil_priv_body', size: 56, fields: [
    f('ret', 0, 4, 's32'), f('pad0', 4, 4, 'u32'), f('arg', 8, 48, 'u64[]'),
  ],
};

export const STRUCTS: readonly StructLayout[] = [HDR, EXEC_BODY, FORK_BODY, EXIT_BODY, FILE_BODY, NET_BODY, PRIV_BODY];

/** enum vigil_event_type: wire number -> C name and body struct. */
export interface EventTypeLayout {
  readonly code: number;
  readonly cName: string;
  readonly body: StructLayout;
}

const t = (code: number, cName: string, body: StructLayout): EventTypeLayout => ({ code, cName, body });

export const EVENT_TYPES: readonly EventTypeLayout[] = [
  t(1, 'VIGIL_EV_EXEC', EXEC_BODY), t(2, 'VIGIL_EV_FORK', FORK_BODY), t(3, 'VIGIL_EV_EXIT', EXIT_BODY),
  t(10, 'VIGIL_EV_OPEN', FILE_BODY), t(11, 'VIGIL_EV_CREATE', FILE_BODY), t(12, 'VIGIL_EV_UNLINK', FILE_BODY),
  t(13, 'VIGIL_EV_RENAME', FILE_BODY), t(14, 'VIGIL_EV_CHMOD', FILE_BODY), t(15, 'VIGIL_EV_CHOWN', FILE_BODY),
  t(16, 'VIGIL_EV_LINK', FILE_BODY), t(17, 'VIGIL_EV_SYMLINK', FILE_BODY), t(18, 'VIGIL_EV_TRUNCATE', FILE_BODY),
  t(19, 'VIGIL_EV_MKDIR', FILE_BODY), t(20, 'VIGIL_EV_CHDIR', FILE_BODY),
  t(30, 'VIGIL_EV_CONNECT', NET_BODY), t(31, 'VIGIL_EV_ACCEPT', NET_BODY), t(32, 'VIGIL_EV_BIND', NET_BODY),
  t(33, 'VIGIL_EV_LISTEN', NET_BODY), t(34, 'VIGIL_EV_SOCKET', NET_BODY), t(35, 'VIGIL_EV_TCP_STATE', NET_BODY),
  t(40, 'VIGIL_EV_SETUID', PRIV_BODY), t(41, 'VIGIL_EV_SETGID', PRIV_BODY), t(42, 'VIGIL_EV_CAPSET', PRIV_BODY),
  t(43, 'VIGIL_EV_PTRACE', PRIV_BODY), t(44, 'VIGIL_EV_MODULE_LOAD', PRIV_BODY),
  t(45, 'VIGIL_EV_MODULE_UNLOAD', PRIV_BODY), t(46, 'VIGIL_EV_BPF', PRIV_BODY),
  t(47, 'VIGIL_EV_MEMFD_CREATE', PRIV_BODY), t(48, 'VIGIL_EV_MOUNT', PRIV_BODY), t(49, 'VIGIL_EV_UMOUNT', PRIV_BODY),
  t(50, 'VIGIL_EV_UNSHARE', PRIV_BODY), t(51, 'VIGIL_EV_SETNS', PRIV_BODY), t(52, 'VIGIL_EV_DUP_STDIO', PRIV_BODY),
  t(53, 'VIGIL_EV_SET_NAME', PRIV_BODY),
];

/** Wire number -> layout, indexed for the hot path (numbers are < VIGIL_EV_MAX). */
export const EVENT_TYPE_BY_CODE: readonly (EventTypeLayout | undefined)[] = (() => {
  const byCode: (EventTypeLayout | undefined)[] = new Array(64).fill(undefined);
  for (const et of EVENT_TYPES) byCode[et.code] = et;
  return byCode;
})();

/** #define constants and enum bounds from events.h, also checked against C. */
export const CONSTANTS = {
  VIGIL_EV_MAX: 64,
  VIGIL_F_TRUNCATED: 1 << 0,
  VIGIL_F_PATH_UNRESOLVED: 1 << 1,
  VIGIL_F_NO_TASK_CTX: 1 << 2,
  VIGIL_F_THREAD: 1 << 3,
  VIGIL_F_DENIED: 1 << 4,
  VIGIL_F_RESPONDED: 1 << 5,
  VIGIL_RESPOND_NAME_MAX: 64,
  VIGIL_RESPOND_RULES_MAX: 256,
  VIGIL_RESPOND_KILL: 1,
  VIGIL_RESPOND_KILL_TREE: 2,
  VIGIL_COMM_LEN: 16,
  VIGIL_PATH_MAX: 1024,
  VIGIL_ARGS_MAX: 4096,
  VIGIL_ENV_MAX: 2048,
  VIGIL_MAX_STRS: 4,
  VIGIL_RECORD_MAX: 8192,
} as const;

/** Records start on 8-byte boundaries inside an EVENTS payload. */
export const RECORD_ALIGN = 8;
