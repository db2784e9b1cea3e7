// Tracer: Linux audit with auditd, rules for the syscalls the workloads
// make. Leaves the machine as found: it starts auditd only if none runs
// (with its own config so the log goes to our temp dir), removes exactly the
// rules it added, and restores enabled/backlog_limit.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from '../cleanup.mjs';
import { exited, run, stopChild, waitFor } from '../exec.mjs';
import { kernelThreads } from '../proc.mjs';
import { ensureAptPackage } from './apt.mjs';

const KEY = 'vigilbench';
/** One rule per syscall family, like a typical audit.rules for these actions. */
export const AUDIT_RULES = [
  ['-F', 'arch=b64', '-S', 'open', '-S', 'openat'],
  ['-F', 'arch=b64', '-S', 'execve', '-S', 'execveat'],
  ['-F', 'arch=b64', '-S', 'connect'],
].map((r) => ['always,exit', ...r, '-k', KEY]);

/** `auditctl -s` -> { enabled, pid, lost, backlog_limit, ... } as numbers. */
export function parseAuditStatus(text) {
  const s = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+) (\d+)/.exec(line.trim());
    if (m) s[m[1]] = Number(m[2]);
  }
  return s;
}

async function auditctl(args) {
  const r = await run('auditctl', args, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`auditctl ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const status = async () => parseAuditStatus(await auditctl(['-s']));

export function auditdTracer({ tmpDir }) {
  return {
    id: 'auditd',
    label: 'auditd',
    kind: 'auditd',
    config: `auditctl -b 8192; ${AUDIT_RULES.map((r) => `-a ${r.join(' ')}`).join('; ')}`,
    async prepare() {
      const pkg = await ensureAptPackage('auditd', 'auditctl');
      if (!pkg.ok) return pkg;
      try {
        await status();
      } catch (err) {
        return { ok: false, reason: `audit not usable here: ${err.message}` };
      }
      return { ok: true };
    },
    async start() {
      const before = await status();
      const undos = [];
      const undoAll = async () => {
        for (const u of undos.reverse()) await u();
        undos.length = 0;
      };
      let daemon = null;
      const running = before.pid > 0 && existsSync(`/proc/${before.pid}`);
      try {
        if (!running) {
          const dir = join(tmpDir, 'auditd');
          mkdirSync(dir, { recursive: true });
          const conf = readFileSync('/etc/audit/auditd.conf', 'utf8').replace(/^log_file\s*=.*$/m, `log_file = ${join(dir, 'audit.log')}`);
          writeFileSync(join(dir, 'auditd.conf'), conf);
          chmodSync(join(dir, 'auditd.conf'), 0o600);
          daemon = spawn('auditd', ['-n', '-c', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          daemon.stderr.on('data', (d) => { err = (err + d).slice(-1000); });
          undos.push(onCleanup('stop the auditd we started', async () => {
            await stopChild(daemon, 'SIGTERM', 10_000);
            await auditctl(['-e', String(before.enabled)]);
            rmSync(dir, { recursive: true, force: true });
          }));
          const up = await Promise.race([waitFor(async () => (await status()).pid === daemon.pid, { timeoutMs: 15_000 }), exited(daemon, 15_000).then(() => false)]);
          if (!up) throw new Error(`auditd did not start: ${err.trim() || `exit ${daemon.exitCode}`}`);
        }
        await auditctl(['-b', '8192']);
        undos.push(onCleanup('restore audit backlog_limit', () => auditctl(['-b', String(before.backlog_limit)])));
        for (const rule of AUDIT_RULES) {
          await auditctl(['-a', ...rule]);
          undos.push(onCleanup(`remove audit rule ${rule.join(' ')}`, () => auditctl(['-d', ...rule])));
        }
        const listed = await waitFor(async () => (await auditctl(['-l'])).split('\n').filter((l) => l.includes(`key=${KEY}`)).length === AUDIT_RULES.length, { timeoutMs: 5000 });
        if (!listed) throw new Error('auditctl -l does not show the bench rules');
      } catch (err) {
        await undoAll();
        throw err;
      }
      const pid = daemon ? daemon.pid : before.pid;
      const kaudit = kernelThreads('kauditd');
      const lost0 = before.lost ?? 0;
      return {
        pids: () => [pid, ...kaudit],
        counters: async () => ({ events: null, drops: ((await status()).lost ?? 0) - lost0 }),
        alive: () => existsSync(`/proc/${pid}`),
        stop: undoAll,
        note: running ? `auditd was already running (pid ${pid}): baseline includes it` : '',
      };
    },
  };
}
