// Names for the numbers in vigil_file_body: open(2) flags, the *at flags of
// unlinkat/linkat/fchownat/fchmodat2, renameat2 flags, and the file syscall
// variants (Linux uapi, x86_64 values and syscall numbers).

const O_ACCMODE = 0o3;
const O_DSYNC = 0o10000;
const O_SYNC_BIT = 0o4000000; // __O_SYNC: O_SYNC is __O_SYNC | O_DSYNC
const O_DIRECTORY = 0o200000;
const O_TMPFILE_BIT = 0o20000000; // __O_TMPFILE: O_TMPFILE is __O_TMPFILE | O_DIRECTORY

const OPEN_BITS: [number, string][] = [
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'], [0o4000, 'O_NONBLOCK'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'], [0o400000, 'O_NOFOLLOW'], [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
];

/** Every bit accounted for by a name; what is left is printed in hex. */
function withRest(names: string[], rest: number): string[] {
  if (rest !== 0) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names;
}

/** ["O_WRONLY", "O_CREAT", ...] for open(2) flags; the access mode always comes first. */
export function openFlagNames(flags: number): string[] {
  const names = [['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][flags & O_ACCMODE]];
  let rest = flags & ~O_ACCMODE;
  for (const [bit, name] of OPEN_BITS) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if ((rest & O_SYNC_BIT) && (rest & O_DSYNC)) {
    names.push('O_SYNC');
    rest &= ~(O_SYNC_BIT | O_DSYNC);
  } else if (rest & O_DSYNC) {
    names.push('O_DSYNC');
    rest &= ~O_DSYNC;
  }
  if ((rest & O_TMPFILE_BIT) && (rest & O_DIRECTORY)) {
    names.push('O_TMPFILE');
    rest &= ~(O_TMPFILE_BIT | O_DIRECTORY);
  } else if (rest & O_DIRECTORY) {
    names.push('O_DIRECTORY');
    rest &= ~O_DIRECTORY;
  }
  return withRest(names, rest);
}

/** True when open(2) flags make the kernel use the mode argument. */
export function openUsesMode(flags: number): boolean {
  return (flags & 0o100) !== 0 || ((flags & O_TMPFILE_BIT) !== 0 && (flags & O_DIRECTORY) !== 0);
}

function bitNames(flags: number, table: [number, string][]): string[] {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const [bit, name] of table) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  return withRest(names, rest);
}

const AT_BITS: [number, string][] = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'],
  [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH'],
];
const RENAME_BITS: [number, string][] = [[1, 'RENAME_NOREPLACE'], [2, 'RENAME_EXCHANGE'], [4, 'RENAME_WHITEOUT']];

/** AT_* names (unlinkat, linkat, fchownat, fchmodat2, and the effective flags of rmdir/lchown). */
export function atFlagNames(flags: number): string[] {
  return bitNames(flags, AT_BITS);
}

/** RENAME_* names (renameat2). */
export function renameFlagNames(flags: number): string[] {
  return bitNames(flags, RENAME_BITS);
}

const SYSCALLS: Record<number, string> = {
  2: 'open', 76: 'truncate', 77: 'ftruncate', 80: 'chdir', 81: 'fchdir', 82: 'rename', 83: 'mkdir',
  84: 'rmdir', 85: 'creat', 86: 'link', 87: 'unlink', 88: 'symlink', 90: 'chmod', 91: 'fchmod',
  92: 'chown', 93: 'fchown', 94: 'lchown', 257: 'openat', 258: 'mkdirat', 260: 'fchownat',
  263: 'unlinkat', 264: 'renameat', 265: 'linkat', 266: 'symlinkat', 268: 'fchmodat',
  316: 'renameat2', 437: 'openat2', 452: 'fchmodat2',
};

/** "openat" for 257; "syscall_N" for a number outside the file family. */
export function fileSyscallName(nr: number): string {
  return SYSCALLS[nr] ?? `syscall_${nr}`;
}

/** Variants whose dirfd field carries the fd the call acted on (AT_EMPTY_PATH style). */
export const FD_SYSCALLS: ReadonlySet<string> = new Set(['fchmod', 'fchown', 'ftruncate', 'fchdir']);
