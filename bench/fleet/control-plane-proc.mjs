// A control-plane replica as a child process (so its CPU and RSS are its
// own), on a free loopback port, with helpers to sample /proc.
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI } from './wire.mjs';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const TICK = 100; // USER_HZ on Linux

export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function startReplica({ dir, name, dbPath, extraArgs = [] }) {
  const port = await freePort();
  const log = join(dir, `${name}.log`);
  const child = spawn(process.execPath, [...(process.env.FLEET_CP_NODE_ARGS?.split(' ').filter(Boolean) ?? []), CLI, 'control-plane', '--listen', `127.0.0.1:${port}`, '--db', dbPath, '--log-level', 'warn',
    '--heartbeat-interval', '10000', ...extraArgs], { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { name, url, child, log, port };
    } catch { /* not yet */ }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`control plane ${name} did not come up; see ${log}`);
}
