// Keeps the STATS frame's counter list in step: bpf/events.h's
// VIGIL_STAT_KEYS (what the loader emits) against agent/src/decode/
// kernel-stats.ts (what the collector reads), by compiling the header.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABANDON_REASONS, KERNEL_STATS } from '../../agent/src/decode/kernel-stats';
import { parseLoaderStats } from '../../agent/src/agent/loader-stats';

const ROOT = resolve(__dirname, '../..');

describe('kernel-stats.ts mirrors VIGIL_STAT_KEYS in bpf/events.h', () => {
  let dir: string;
  let cOutput: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-stats-'));
    writeFileSync(join(dir, 'stats.c'), [
      '#include <stdio.h>',
      '#include "events.h"',
      '#define PRINT(idx, key) printf("%s %d %s\\n", #idx, (int)(idx), key);',
      'int main(void) { VIGIL_STAT_KEYS(PRINT) printf("max %d\\n", (int)VIGIL_STAT_MAX); return 0; }',
      '',
    ].join('\n'));
    execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-D__VIGIL_USERSPACE', `-I${ROOT}/bpf`, '-o', join(dir, 'stats'), join(dir, 'stats.c')], { stdio: 'pipe' });
    cOutput = execFileSync(join(dir, 'stats'), { encoding: 'utf8' });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the same counters, indexes and frame keys, in enum order', () => {
    const lines = cOutput.trim().split('\n');
    const max = Number(lines.pop()!.split(' ')[1]);
    expect(lines).toEqual(KERNEL_STATS.map((s) => `${s.cName} ${s.index} ${s.key}`));
    for (const s of KERNEL_STATS) expect(s.index).toBeLessThan(max);
  });

  it('covers every enum vigil_stat value the header declares', () => {
    const header = execFileSync('cc', ['-E', '-P', '-D__VIGIL_USERSPACE', `-I${ROOT}/bpf`, '-x', 'c', join(ROOT, 'bpf/events.h')], { encoding: 'utf8' });
    const body = /enum vigil_stat\s*\{([^}]*)\}/.exec(header)![1];
    const names = [...body.matchAll(/VIGIL_STAT_[A-Z0-9_]+/g)].map((m) => m[0]).filter((n) => n !== 'VIGIL_STAT_MAX');
    expect(names).toEqual(KERNEL_STATS.map((s) => s.cName));
  });

  it('reads each abandon reason from its frame key', () => {
    const frame = { events: 5, drops: 1, truncated: 0, filtered: 2, deduped: 0, probes: [] } as Record<string, unknown>;
    ABANDON_REASONS.forEach((r, i) => { frame[`abandoned_${r}`] = i + 10; });
    const s = parseLoaderStats(Buffer.from(JSON.stringify(frame)));
    if (s instanceof Error) throw s;
    expect(s.abandoned).toEqual(Object.fromEntries(ABANDON_REASONS.map((r, i) => [r, i + 10])));
    expect(ABANDON_REASONS).toEqual(['scratch', 'size']);
  });

  it('rejects a negative abandon counter with a typed error', () => {
    const s = parseLoaderStats(Buffer.from(JSON.stringify({ events: 1, drops: 0, truncated: 0, filtered: 0, abandoned_scratch: -1 })));
    expect(s).toBeInstanceOf(Error);
    expect((s as Error).message).toMatch(/abandoned_scratch/);
  });
});
