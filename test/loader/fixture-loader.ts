// Builds a vigil-loader whose `priv` family is a test fixture object
// (clang, bpftool and cc as in the Makefile); the other families come from
// build/skel. Returns the loader's path inside `dir`.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export function buildFixtureLoader(fixture: string, dir: string): string {
  const obj = path.join(dir, 'fixture.bpf.o');
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-Ibpf', '-Ibpf/lib', '-c',
    `test/loader/fixtures/${fixture}`, '-o', obj], { cwd: ROOT });
  const skel = execFileSync('bpftool', ['gen', 'skeleton', obj, 'name', 'priv_bpf'], { cwd: ROOT, maxBuffer: 64 << 20 });
  writeFileSync(path.join(dir, 'priv.skel.h'), skel);
  const loader = path.join(dir, 'vigil-loader');
  const srcs = readdirSync(path.join(ROOT, 'agent/loader')).filter((f) => f.endsWith('.c')).map((f) => `agent/loader/${f}`);
  // dir first: its priv.skel.h shadows build/skel's; the rest come from build/skel.
  execFileSync('cc', ['-O2', `-I${dir}`, '-Ibuild/skel', '-Ibpf', '-Iagent/loader', ...srcs, '-o', loader,
    '-lbpf', '-lelf', '-lz'], { cwd: ROOT });
  return loader;
}
