// process.entity_id: stable for one execution of one process on one boot,
// and the same whether the process was seen by the kernel probes or seeded
// from /proc. /proc/<pid>/stat field 22 is start_boottime in USER_HZ (100)
// ticks, so the kernel's nanoseconds are reduced to ticks before hashing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const NS_PER_TICK = 10_000_000n;
let bootIdCache: string | undefined;

export function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdCache = 'unknown-boot';
    }
  }
  return bootIdCache;
}

export function startTicksFromNs(startBoottimeNs: bigint): bigint {
  return startBoottimeNs / NS_PER_TICK;
}

export function entityId(pid: number, startTicks: bigint, boot: string = bootId()): string {
  return createHash('sha256').update(`${boot}:${pid}:${startTicks}`).digest('base64url').slice(0, 22);
}

export function entityIdFromNs(pid: number, startBoottimeNs: bigint, boot?: string): string {
  return entityId(pid, startTicksFromNs(startBoottimeNs), boot);
}
