// Joining the path a syscall was given with the base directory the kernel
// resolved for it (cwd or dirfd; empty when the path was absolute). This is
// lexical: "..", "." and repeated slashes are folded without touching the
// filesystem, since the file may be gone by the time we see the event.

export interface JoinedPath {
  path: string;
  /** True when the path is relative and the kernel could not send its base. */
  unresolved: boolean;
}

const NEEDS_FOLD = /\/\.|\/\/|.\/$/;

/** Fold "." / ".." / "//" of an absolute path; never climbs above "/". */
export function normalizeAbsolute(p: string): string {
  if (!NEEDS_FOLD.test(p)) return p; // the common case: already clean
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i < p.length && p.charCodeAt(i) !== 47 /* '/' */) continue;
    const seg = p.slice(start, i);
    start = i + 1;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

export function joinPath(base: string, path: string): JoinedPath {
  if (path.startsWith('/')) return { path: normalizeAbsolute(path), unresolved: false };
  if (!base.startsWith('/')) return { path, unresolved: true };
  return { path: normalizeAbsolute(path === '' ? base : `${base}/${path}`), unresolved: false };
}
