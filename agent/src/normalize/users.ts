// uid/gid -> name from /etc/passwd and /etc/group. Lookups are hot (three per
// event), so names are cached; an unknown id re-reads the files at most once
// per `refreshMs`, which picks up new accounts without a read per event.
import { readFileSync } from 'node:fs';

export interface IdNameCacheOptions {
  passwdPath?: string;
  groupPath?: string;
  refreshMs?: number;
  now?: () => number;
}

/** name:x:id:... lines -> id -> name. Malformed lines are skipped. */
export function parseIdFile(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 3 || !parts[0]) continue;
    const id = Number(parts[2]);
    if (!Number.isInteger(id) || id < 0 || parts[2].trim() === '') continue;
    if (!out.has(id)) out.set(id, parts[0]);
  }
  return out;
}

class IdFile {
  private names = new Map<number, string>();
  private loadedAt = -Infinity;

  constructor(private readonly path: string, private readonly refreshMs: number, private readonly now: () => number) {}

  lookup(id: number): string | undefined {
    const hit = this.names.get(id);
    if (hit !== undefined) return hit;
    if (this.now() - this.loadedAt < this.refreshMs) return undefined;
    this.load();
    return this.names.get(id);
  }

  private load(): void {
    this.loadedAt = this.now();
    try {
      this.names = parseIdFile(readFileSync(this.path, 'utf8'));
    } catch {
      // Unreadable file (containers, tests): keep what we had; ids stay numeric.
    }
  }
}

export class IdNameCache {
  private readonly users: IdFile;
  private readonly groups: IdFile;

  constructor(opts: IdNameCacheOptions = {}) {
    const refresh = opts.refreshMs ?? 5000;
    const now = opts.now ?? Date.now;
    this.users = new IdFile(opts.passwdPath ?? '/etc/passwd', refresh, now);
    this.groups = new IdFile(opts.groupPath ?? '/etc/group', refresh, now);
  }

  userName(uid: number): string | undefined {
    return this.users.lookup(uid);
  }

  groupName(gid: number): string | undefined {
    return this.groups.lookup(gid);
  }
}
