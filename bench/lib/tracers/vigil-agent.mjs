// Tracer: the full `vigil agent` (node collector + vigil-loader child).
// Attached = the agent logged "loader ready" and, when it writes JSONL, an
// exec marker we ran shows up in that file (the whole pipeline flows).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { onCleanup } from '../cleanup.mjs';
import { exited, run, sleep, stopChild, waitFor } from '../exec.mjs';
import { loaderCounters } from '../loader-counters.mjs';
import { childPids, comm } from '../proc.mjs';
import { agentArgs, parseHelpOptions } from './vigil-options.mjs';

const LABEL = { default: 'Vigil default profile', full: 'Vigil full capture' };

/** True once `needle` appears in the file past `state.offset` (read incrementally). */
function fileHas(path, needle, state) {
  if (!existsSync(path)) return false;
  const size = statSync(path).size;
  if (size <= state.offset) return false;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size - state.offset, 8 << 20));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    state.offset = size;
    return buf.includes(needle);
  } finally {
    closeSync(fd);
  }
}

export function vigilAgentTracer({ root, tmpDir, profile }) {
  const vigil = join(root, 'bin/vigil');
  let opts = new Set();
  return {
    id: `vigil-${profile}`,
    label: LABEL[profile],
    kind: 'vigil',
    config: '',
    async prepare() {
      if (!existsSync(join(root, 'dist/cli/vigil.js'))) return { ok: false, reason: 'dist/ missing: run `make ts`' };
      if (!existsSync(join(root, 'build/vigil-loader'))) return { ok: false, reason: 'build/vigil-loader missing: run `make loader`' };
      const help = await run(process.execPath, [vigil, 'agent', '--help'], { timeoutMs: 20_000 });
      if (help.code !== 0) return { ok: false, reason: `\`vigil agent --help\` failed: ${(help.stderr || help.stdout).trim().split('\n').pop()}` };
      opts = parseHelpOptions(help.stdout);
      if (profile === 'full' && !opts.has('--capture')) return { ok: false, reason: '`vigil agent --help` has no --capture yet (the default row already captures everything the probes emit)' };
      const { args, notes } = agentArgs(opts, profile, { dbPath: join(tmpDir, 'x.db'), jsonlPath: join(tmpDir, 'x.jsonl'), rulesDir: join(root, 'rules') });
      this.config = `vigil ${args.join(' ').replaceAll(tmpDir + '/', '')}${notes.length ? ` (${notes.join('; ')})` : ''}`;
      return { ok: true };
    },
    async start() {
      const tag = randomBytes(4).toString('hex');
      const paths = { dbPath: join(tmpDir, `agent-${tag}.db`), jsonlPath: join(tmpDir, `agent-${tag}.jsonl`), rulesDir: join(root, 'rules') };
      const { args, jsonl } = agentArgs(opts, profile, paths);
      const child = spawn(process.execPath, [vigil, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      const log = { ready: false, lines: [], warnDrops: 0 };
      createInterface({ input: child.stderr }).on('line', (line) => {
        let rec;
        try {
          rec = JSON.parse(line);
        } catch {
          rec = { msg: line };
        }
        if (rec.msg === 'loader ready') log.ready = true;
        if (typeof rec.drops === 'number') log.warnDrops = Math.max(log.warnDrops, rec.drops);
        if (log.lines.length < 50 || rec.level >= 40) log.lines.push(line.slice(0, 300));
      });
      let loaderPid = null;
      const removeFiles = () => {
        for (const p of [paths.dbPath, `${paths.dbPath}-wal`, `${paths.dbPath}-shm`, paths.jsonlPath]) rmSync(p, { force: true });
      };
      const undo = onCleanup(`stop ${LABEL[profile]}`, async () => {
        await stopChild(child, 'SIGINT', 10_000);
        // The loader stops when the agent's end of its stdin closes; make sure.
        const gone = () => !loaderPid || comm(loaderPid) !== 'vigil-loader';
        if (!(await waitFor(gone, { timeoutMs: 8000 }))) {
          try { process.kill(loaderPid, 'SIGKILL'); } catch { /* already gone */ }
        }
        removeFiles();
      });
      const fail = async (why) => {
        await undo();
        throw new Error(`${why}; agent log tail: ${log.lines.slice(-3).join(' | ')}`);
      };

      const ready = await Promise.race([waitFor(() => log.ready, { timeoutMs: 30_000 }), exited(child, 30_000).then(() => false)]);
      if (!ready) return fail('agent never logged "loader ready"');
      loaderPid = await waitFor(() => childPids(child.pid).find((p) => comm(p) === 'vigil-loader'), { timeoutMs: 5000 });
      if (jsonl) {
        // An exec with a unique argv: captured by every profile.
        const marker = `vigilbench-marker-${tag}`;
        const state = { offset: 0 };
        const seen = await waitFor(() => {
          spawnSync('/bin/true', [marker]);
          return fileHas(jsonl, marker, state);
        }, { timeoutMs: 20_000, everyMs: 300 });
        if (!seen) return fail('marker exec never reached the JSONL output');
      } else {
        await sleep(1000);
      }
      return {
        /** Events of `action` stored for `pid`: polled until `expected` or no growth for 3 s (the store writes in batches). */
        async countEvents(action, pid, expected) {
          if (!args.includes('--db') || !existsSync(paths.dbPath)) return null;
          const db = new Database(paths.dbPath, { readonly: true, fileMustExist: true });
          try {
            // History schema v2: who ran it lives in the process image.
            const q = db.prepare('SELECT count(*) AS n FROM events e JOIN processes p ON p.pk = e.proc WHERE p.pid = ? AND e.action = ?');
            let n = -1;
            let since = Date.now();
            const deadline = Date.now() + 60_000;
            for (;;) {
              const now = q.get(pid, action).n;
              if (now !== n) { n = now; since = Date.now(); }
              if (n >= expected || Date.now() - since > 3000 || Date.now() > deadline) return n;
              await sleep(200);
            }
          } finally {
            db.close();
          }
        },
        pids: () => [child.pid, loaderPid].filter(Boolean),
        counters: () => loaderCounters(loaderPid),
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: undo,
      };
    },
  };
}
