// Install a Debian package the first time a tracer needs it. Installs are
// left in place (they are the tool under test), and reported in the notes.
import { existsSync } from 'node:fs';
import { run } from '../exec.mjs';

const onPath = (bin) => (process.env.PATH ?? '/usr/sbin:/usr/bin').split(':').some((d) => existsSync(`${d}/${bin}`)) || existsSync(`/usr/sbin/${bin}`);

let updated = false;

export async function ensureAptPackage(pkg, bin) {
  if (onPath(bin)) return { ok: true };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`bench: installing ${pkg} (apt-get)...\n`);
  let r = await run('apt-get', ['install', '-y', '-qq', pkg], { timeoutMs: 240_000, env });
  if (r.code !== 0 && !updated) {
    updated = true;
    await run('apt-get', ['update', '-qq'], { timeoutMs: 240_000, env });
    r = await run('apt-get', ['install', '-y', '-qq', pkg], { timeoutMs: 240_000, env });
  }
  if (r.code !== 0 || !onPath(bin)) return { ok: false, reason: `apt-get install ${pkg} failed: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return { ok: true, installed: true };
}
