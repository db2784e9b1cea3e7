// --block-exec PATH: executables the kernel kills at exec, before their
// first instruction (bpf/process.bpf.c, map exec_block); --response-allow
// PATH: executables no response touches (bpf/lib/respond.h, respond_spare).
// A path is resolved once, at start, to its inode and device: a copy or a
// rename of the file is still the same file, another file at the same path
// is not.
import { statSync } from 'node:fs';

export interface ExecBlock {
  path: string;
  ino: bigint;
  major: number;
  minor: number;
}

export class ExecBlockError extends Error {
  readonly code = 'VIGIL_ERR_EXEC_BLOCK';
  constructor(message: string) {
    super(message);
    this.name = 'ExecBlockError';
  }
}

/** glibc's major()/minor() of a userspace st_dev. */
const major = (dev: bigint): number => Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
const minor = (dev: bigint): number => Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));

/** Validates a --block-exec (or `flag`) path at the edge: it must be an existing regular file. */
export function resolveExecBlock(path: string, flag = '--block-exec'): ExecBlock {
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch (err) {
    throw new ExecBlockError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot stat'}; give the path of an existing executable`);
  }
  if (!st.isFile()) throw new ExecBlockError(`${flag} ${path}: not a regular file; give the path of an executable`);
  return execBlockOf(path, st.ino, st.dev);
}

/** The block for a file already stat'ed (st_ino, st_dev from a bigint stat). */
export const execBlockOf = (path: string, ino: bigint, dev: bigint): ExecBlock => ({ path, ino, major: major(dev), minor: minor(dev) });

/** Loader control lines (agent/loader/control.h). */
export const execBlockLines = (blocks: readonly ExecBlock[], on = true): string[] =>
  blocks.map((b) => `${on ? 'block-exec' : 'unblock-exec'} ${b.ino} ${b.major} ${b.minor}`);

/** The same identity for the response allow-list (agent/loader/respond.h). */
export const responseAllowLines = (files: readonly ExecBlock[]): string[] =>
  files.map((b) => `respond-spare ${b.ino} ${b.major} ${b.minor}`);

/** The key both sides compare: a file's inode and device. */
export const execKey = (ino: bigint, major: number, minor: number): string => `${ino}:${major}:${minor}`;
