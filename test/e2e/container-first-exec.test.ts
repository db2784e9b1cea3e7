// Real kernel, real cgroups: a container's very first exec carries its
// container.id, even when another new cgroup appeared a moment before (the
// cgroup tree rescan is rate-limited to one per 2 s; the resolver now asks
// the process's own /proc/<pid>/cgroup first).
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCgroup2Mount } from '../../agent/src/process/container';
import { tempDir, uniqueCopy, waitForEvent } from './harness';

const root = findCgroup2Mount();
const slice = join(root, `vigil-e2e-${process.pid}-${randomBytes(3).toString('hex')}.slice`);
const id = randomBytes(32).toString('hex');
const other = join(slice, 'other.scope');
const container = join(slice, `docker-${id}.scope`);
const dir = tempDir('vigil-cg-');

afterAll(() => {
  for (const d of [other, container, slice]) if (existsSync(d)) rmdirSync(d);
  rmSync(dir, { recursive: true, force: true });
});

/** Moves a shell into `cgroup`, then execs `bin` there: the exec is the cgroup's first event. */
function runIn(cgroup: string, bin: string): void {
  const r = spawnSync('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ${bin}`]);
  if (r.status !== 0) throw new Error(`could not run ${bin} in ${cgroup}: ${r.stderr}`);
}

describe('container identity', () => {
  it('the first exec in a new container has container.id, 0 s after another new cgroup', async () => {
    mkdirSync(other, { recursive: true });
    mkdirSync(container);
    const first = uniqueCopy('/bin/true', dir, 'cg-other');
    const second = uniqueCopy('/bin/true', dir, 'cg-docker');
    runIn(other, first); // a new cgroup: the resolver walks the tree, and may not again for 2 s
    const a = await waitForEvent((e) => e.event.action === 'exec' && e.process.executable === first, 10_000);
    expect(a.container).toBeUndefined(); // not a container path
    runIn(container, second);
    const b = await waitForEvent((e) => e.event.action === 'exec' && e.process.executable === second, 10_000);
    expect(b.container).toEqual({ id, runtime: 'docker' });
    expect(Date.parse(b['@timestamp']) - Date.parse(a['@timestamp'])).toBeLessThan(2000);
  });
});
