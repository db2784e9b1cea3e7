// Names for the numbers in vigil_priv_body: capabilities, ptrace requests,
// bpf commands and program types, namespace/mount/memfd flags, syscalls
// (Linux uapi, x86_64 syscall numbers).

const CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Capability names for the set bits of a kernel_cap_t value. */
export function capNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) out.push(CAPS[bit] ?? `CAP_${bit}`);
  }
  return out;
}

const PTRACE: Record<number, string> = {
  0: 'PTRACE_TRACEME', 1: 'PTRACE_PEEKTEXT', 2: 'PTRACE_PEEKDATA', 3: 'PTRACE_PEEKUSER',
  4: 'PTRACE_POKETEXT', 5: 'PTRACE_POKEDATA', 6: 'PTRACE_POKEUSER', 7: 'PTRACE_CONT', 8: 'PTRACE_KILL',
  9: 'PTRACE_SINGLESTEP', 12: 'PTRACE_GETREGS', 13: 'PTRACE_SETREGS', 14: 'PTRACE_GETFPREGS',
  15: 'PTRACE_SETFPREGS', 16: 'PTRACE_ATTACH', 17: 'PTRACE_DETACH', 24: 'PTRACE_SYSCALL',
  0x4200: 'PTRACE_SETOPTIONS', 0x4204: 'PTRACE_GETREGSET', 0x4205: 'PTRACE_SETREGSET',
  0x4206: 'PTRACE_SEIZE', 0x4207: 'PTRACE_INTERRUPT',
};

export const ptraceRequestName = (n: number): string => PTRACE[n] ?? `PTRACE_${n}`;

const BPF_CMDS = [
  'BPF_MAP_CREATE', 'BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM',
  'BPF_MAP_GET_NEXT_KEY', 'BPF_PROG_LOAD', 'BPF_OBJ_PIN', 'BPF_OBJ_GET', 'BPF_PROG_ATTACH',
  'BPF_PROG_DETACH', 'BPF_PROG_TEST_RUN', 'BPF_PROG_GET_NEXT_ID', 'BPF_MAP_GET_NEXT_ID',
  'BPF_PROG_GET_FD_BY_ID', 'BPF_MAP_GET_FD_BY_ID', 'BPF_OBJ_GET_INFO_BY_FD', 'BPF_PROG_QUERY',
  'BPF_RAW_TRACEPOINT_OPEN', 'BPF_BTF_LOAD', 'BPF_BTF_GET_FD_BY_ID', 'BPF_TASK_FD_QUERY',
  'BPF_MAP_LOOKUP_AND_DELETE_ELEM', 'BPF_MAP_FREEZE', 'BPF_BTF_GET_NEXT_ID', 'BPF_MAP_LOOKUP_BATCH',
  'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH', 'BPF_MAP_DELETE_BATCH', 'BPF_LINK_CREATE',
  'BPF_LINK_UPDATE', 'BPF_LINK_GET_FD_BY_ID', 'BPF_LINK_GET_NEXT_ID', 'BPF_ENABLE_STATS',
  'BPF_ITER_CREATE', 'BPF_LINK_DETACH', 'BPF_PROG_BIND_MAP', 'BPF_TOKEN_CREATE',
];

export const bpfCmdName = (n: number): string => BPF_CMDS[n] ?? `BPF_CMD_${n}`;

const PROG_TYPES = [
  'UNSPEC', 'SOCKET_FILTER', 'KPROBE', 'SCHED_CLS', 'SCHED_ACT', 'TRACEPOINT', 'XDP', 'PERF_EVENT',
  'CGROUP_SKB', 'CGROUP_SOCK', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'SOCK_OPS', 'SK_SKB', 'CGROUP_DEVICE',
  'SK_MSG', 'RAW_TRACEPOINT', 'CGROUP_SOCK_ADDR', 'LWT_SEG6LOCAL', 'LIRC_MODE2', 'SK_REUSEPORT',
  'FLOW_DISSECTOR', 'CGROUP_SYSCTL', 'RAW_TRACEPOINT_WRITABLE', 'CGROUP_SOCKOPT', 'TRACING',
  'STRUCT_OPS', 'EXT', 'LSM', 'SK_LOOKUP', 'SYSCALL', 'NETFILTER',
];

export const bpfProgTypeName = (n: number): string => `BPF_PROG_TYPE_${PROG_TYPES[n] ?? n}`;

/** Names of the set bits of `value` that appear in `table` (bit value -> name). */
export function flagNames(value: bigint, table: ReadonlyArray<readonly [bigint, string]>): string[] {
  return table.filter(([bit]) => (value & bit) !== 0n).map(([, name]) => name);
}

export const CLONE_NS_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [0x00000080n, 'CLONE_NEWTIME'], [0x00020000n, 'CLONE_NEWNS'], [0x02000000n, 'CLONE_NEWCGROUP'],
  [0x04000000n, 'CLONE_NEWUTS'], [0x08000000n, 'CLONE_NEWIPC'], [0x10000000n, 'CLONE_NEWUSER'],
  [0x20000000n, 'CLONE_NEWPID'], [0x40000000n, 'CLONE_NEWNET'],
  [0x00000200n, 'CLONE_FS'], [0x00000400n, 'CLONE_FILES'], [0x00040000n, 'CLONE_SYSVSEM'],
];

export const MOUNT_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [1n, 'MS_RDONLY'], [2n, 'MS_NOSUID'], [4n, 'MS_NODEV'], [8n, 'MS_NOEXEC'], [16n, 'MS_SYNCHRONOUS'],
  [32n, 'MS_REMOUNT'], [64n, 'MS_MANDLOCK'], [128n, 'MS_DIRSYNC'], [1024n, 'MS_NOATIME'],
  [2048n, 'MS_NODIRATIME'], [4096n, 'MS_BIND'], [8192n, 'MS_MOVE'], [16384n, 'MS_REC'],
  [32768n, 'MS_SILENT'], [1n << 17n, 'MS_UNBINDABLE'], [1n << 18n, 'MS_PRIVATE'],
  [1n << 19n, 'MS_SLAVE'], [1n << 20n, 'MS_SHARED'], [1n << 21n, 'MS_RELATIME'],
];

export const UMOUNT_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [1n, 'MNT_FORCE'], [2n, 'MNT_DETACH'], [4n, 'MNT_EXPIRE'], [8n, 'UMOUNT_NOFOLLOW'],
];

export const MEMFD_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [1n, 'MFD_CLOEXEC'], [2n, 'MFD_ALLOW_SEALING'], [4n, 'MFD_HUGETLB'], [8n, 'MFD_NOEXEC_SEAL'], [16n, 'MFD_EXEC'],
];

export const MODULE_INIT_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [1n, 'MODULE_INIT_IGNORE_MODVERSIONS'], [2n, 'MODULE_INIT_IGNORE_VERMAGIC'], [4n, 'MODULE_INIT_COMPRESSED_FILE'],
];

export const DELETE_MODULE_FLAGS: ReadonlyArray<readonly [bigint, string]> = [
  [0o4000n, 'O_NONBLOCK'], [0o1000n, 'O_TRUNC'],
];

const SYSCALLS: Record<number, string> = {
  32: 'dup', 33: 'dup2', 72: 'fcntl', 105: 'setuid', 106: 'setgid', 113: 'setreuid', 114: 'setregid',
  117: 'setresuid', 119: 'setresgid', 292: 'dup3',
};

export const syscallName = (nr: number): string => SYSCALLS[nr] ?? `syscall_${nr}`;

/** S_IFMT bits -> a short file type name. */
export function fileTypeName(ifmt: number): string {
  switch (ifmt) {
    case 0o140000: return 'socket';
    case 0o120000: return 'symlink';
    case 0o100000: return 'file';
    case 0o060000: return 'blk';
    case 0o040000: return 'dir';
    case 0o020000: return 'chr';
    case 0o010000: return 'pipe';
    default: return ifmt === 0 ? 'unknown' : `mode_${ifmt.toString(8)}`;
  }
}
