// Kernel-side counters of a running vigil-loader, read straight from its
// per-CPU `stats` map (bpf/lib/maps.h, keys in bpf/events.h vigil_stat).
// We find the map among the loader's own fds by its shape, so another
// Vigil instance on the machine never gets mixed in, and read it with
// bpftool. Works the same for the bare loader and the agent's loader.
import { execFileSync } from 'node:child_process';
import { fdInfos } from './proc.mjs';

const STAT_EVENTS = 0;
const STAT_DROPS = 1;
const STAT_ABANDONED = [5, 6]; // VIGIL_STAT_ABANDONED_SCRATCH, _SIZE
const STAT_MAX = 16; // VIGIL_STAT_MAX

/** map_id of the stats map: PERCPU_ARRAY (6), u32 -> u64, VIGIL_STAT_MAX entries. */
export function statsMapId(pid) {
  for (const info of fdInfos(pid)) {
    if (/^map_type:\s+6$/m.test(info) && /^key_size:\s+4$/m.test(info) && /^value_size:\s+8$/m.test(info) && new RegExp(`^max_entries:\\s+${STAT_MAX}$`, 'm').test(info)) {
      const m = /^map_id:\s+(\d+)$/m.exec(info);
      if (m) return Number(m[1]);
    }
  }
  return null;
}

function lookup(mapId, key) {
  const out = execFileSync('bpftool', ['-j', 'map', 'lookup', 'id', String(mapId), 'key', String(key), '0', '0', '0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const values = JSON.parse(out).formatted?.values ?? [];
  return values.reduce((sum, v) => sum + Number(v.value), 0);
}

/** { events, drops } summed over CPUs (drops includes records abandoned in a probe), or null when the loader or bpftool is unavailable. */
export function loaderCounters(pid) {
  const id = pid ? statsMapId(pid) : null;
  if (id === null) return null;
  try {
    const abandoned = STAT_ABANDONED.reduce((n, k) => n + lookup(id, k), 0);
    return { events: lookup(id, STAT_EVENTS), drops: lookup(id, STAT_DROPS) + abandoned };
  } catch {
    return null;
  }
}

/** Wait-free attach check: the loader holds one bpf_link fd per attached program. */
export function bpfLinkCount(fdKinds) {
  return fdKinds['anon_inode:bpf_link'] ?? 0;
}
