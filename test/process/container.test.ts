import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CgroupResolver, containerFromCgroupPath, findCgroup2Mount } from '../../agent/src/process/container';

const A = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'deadbeef';
const B = 'b'.repeat(64);

describe('containerFromCgroupPath', () => {
  it.each([
    [`/docker/${A}`, 'docker'],
    [`/system.slice/docker-${A}.scope`, 'docker'],
    [`/system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:x/cri-containerd-${A}.scope`, 'containerd'],
    [`/kubepods/burstable/pod0f1e2d3c-aaaa-bbbb-cccc-0123456789ab/${A}`, 'containerd'],
    [`/machine.slice/libpod-${A}.scope/container`, 'podman'],
    [`/kubepods.slice/kubepods-besteffort.slice/crio-${A}.scope`, 'cri-o'],
  ])('%s -> %s', (path, runtime) => {
    expect(containerFromCgroupPath(path)).toEqual({ id: A, runtime });
  });

  it('is undefined on the host and for look-alikes', () => {
    expect(containerFromCgroupPath('/')).toBeUndefined();
    expect(containerFromCgroupPath('/user.slice/user-0.slice/session-1.scope')).toBeUndefined();
    expect(containerFromCgroupPath('/system.slice/docker.service')).toBeUndefined();
    expect(containerFromCgroupPath(`/system.slice/crio-conmon-${A}.scope`)).toBeUndefined();
    expect(containerFromCgroupPath(`/docker/${A.slice(1)}`)).toBeUndefined();
  });

  it('picks the innermost of nested containers', () => {
    expect(containerFromCgroupPath(`/docker/${A}/docker/${B}`)).toEqual({ id: B, runtime: 'docker' });
  });
});

describe('CgroupResolver', () => {
  it('maps a cgroup v2 id (directory inode) to its path, rescanning lazily at a bounded rate', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-cg-'));
    const scope = join(root, 'system.slice', `docker-${A}.scope`);
    mkdirSync(scope, { recursive: true });
    writeFileSync(join(root, 'cgroup.procs'), '');
    const clock = { now: 1000 };
    const r = new CgroupResolver({ root, minRescanMs: 500, clock: () => clock.now });
    const ino = (p: string) => statSync(p, { bigint: true }).ino.toString();
    expect(r.resolve(ino(scope))).toBe(`/system.slice/docker-${A}.scope`);
    expect(r.container(ino(scope))).toEqual({ id: A, runtime: 'docker' });
    expect(r.container(ino(root))).toBeUndefined();
    expect(r.rescans).toBe(1);

    const late = join(root, 'machine.slice', `libpod-${B}.scope`);
    mkdirSync(late, { recursive: true });
    clock.now += 100;
    expect(r.resolve(ino(late))).toBeUndefined(); // too soon to rescan
    expect(r.rescans).toBe(1);
    clock.now += 500;
    expect(r.container(ino(late))).toEqual({ id: B, runtime: 'podman' });
    expect(r.rescans).toBe(2);
  });

  it('resolves a new container at its first event from the process\'s own /proc/<pid>/cgroup, inside the rescan limit', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-cg-'));
    const proc = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
    const clock = { now: 1000 };
    const r = new CgroupResolver({ root, procRoot: proc, minRescanMs: 2000, clock: () => clock.now });
    const ino = (p: string) => statSync(p, { bigint: true }).ino.toString();
    expect(r.resolve(ino(root))).toBe('/'); // the scan that starts the 2 s limit
    const other = join(root, 'system.slice', 'other.scope');
    const scope = join(root, 'system.slice', `docker-${A}.scope`);
    mkdirSync(other, { recursive: true });
    mkdirSync(scope);
    clock.now += 10;
    expect(r.resolve(ino(other))).toBeUndefined(); // a plain miss waits for the next rescan
    mkdirSync(join(proc, '4242'));
    writeFileSync(join(proc, '4242', 'cgroup'), `0::/system.slice/docker-${A}.scope\n`);
    expect(r.resolveFor(ino(scope), 4242)).toBe(`/system.slice/docker-${A}.scope`);
    expect(r).toMatchObject({ rescans: 1, byProcess: 1 });
    // A /proc line that does not match the id (the process moved) is not trusted.
    writeFileSync(join(proc, '4242', 'cgroup'), '0::/system.slice/other.scope\n');
    expect(r.resolveFor('999999999', 4242)).toBeUndefined();
    rmSync(root, { recursive: true, force: true });
    rmSync(proc, { recursive: true, force: true });
  });

  it('resolves the real cgroup2 root: its id is the root directory inode', () => {
    const root = findCgroup2Mount();
    const r = new CgroupResolver({ root });
    const rootIno = statSync(root, { bigint: true }).ino.toString();
    expect(r.resolve(rootIno)).toBe('/');
  });
});
