#!/usr/bin/env node
// Response figures, on the real kernel, one agent at a time:
//  1. exec block: a binary whose first act is to create a marker file, run
//     1000 times while `--block-exec` names it: markers that appear (target 0);
//  2. rule-triggered kill-tree on a tree that forks as fast as it can: the
//     root starts two fork loops, lets them run, then execs the binary the
//     rule names. Kernel event time of that exec -> last SIGKILL sent, ->
//     exit of the tree's last process (kernel times of the exit events;
//     median, p99; target p99 <= 5 ms). Twice: carried out in the kernel at exec (the default), and
//     from user space (--no-kernel-responses), for comparison;
//  3. a manual action through the control plane (resume-tree on a sleeping
//     process, harmless): POST -> confirmed answer, idle (median, p99; target
//     p99 <= 100 ms);
//  4. the exec-block map's cost on an exec storm: rate with a block entry vs
//     without (median of pairs; target <= 1.02x).
// Usage (root): node bench/response.mjs [--report FILE.md] [--only exec-block,kill-tree,manual,cost]
// Env: VIGIL_KILL_TREE_RUNS (40), VIGIL_BENCH_VERBOSE=1 (what the sweep signalled), VIGIL_BENCH_KEEP=1 (keep the agents' output).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist/cli/vigil.js');
const REPORT = process.argv.includes('--report') ? process.argv[process.argv.indexOf('--report') + 1] : undefined;
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
const want = (part) => !ONLY || ONLY.includes(part);
const dir = mkdtempSync(join(tmpdir(), 'vigil-respbench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (x) => (x === undefined ? 'n/a' : x.toFixed(1));
const log = (s) => process.stderr.write(`${s}\n`);

function agent(args, name) {
  const jsonl = join(dir, `${name}.jsonl`);
  const argv = [CLI, 'agent', '--jsonl', jsonl, '--no-baseline', '--log-level', 'warn', ...args];
  const p = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  // Read incrementally (a fork storm writes megabytes): only whole new lines are parsed.
  const seen = [];
  let offset = 0;
  let partial = '';
  const lines = () => {
    if (!existsSync(jsonl)) return seen;
    const fd = openSync(jsonl, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0;) {
        offset += n;
        const text = partial + buf.toString('utf8', 0, n);
        const cut = text.lastIndexOf('\n');
        partial = text.slice(cut + 1);
        for (const l of text.slice(0, cut + 1).split('\n')) if (l) { try { seen.push(JSON.parse(l)); } catch { /* not JSON */ } }
      }
    } finally {
      closeSync(fd);
    }
    return seen;
  };
  return { p, lines, stop: () => new Promise((ok) => { if (p.exitCode !== null) return ok(); p.once('exit', ok); p.kill('SIGTERM'); }) };
}

async function until(fn, ms = 30_000, every = 20) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(every)) { const v = fn(); if (v) return v; }
  throw new Error('timed out');
}

/** Processes of process group `pgid` that still run (not zombies), from one /proc scan. */
function groupAlive(pgid) {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') n++;
    } catch { /* exited */ }
  }
  return n;
}

/** Marker exec seen: the agent is capturing. */
async function live(a, name) {
  const bin = join(dir, `mark-${name}`);
  copyFileSync('/bin/true', bin);
  await until(() => { spawnSync(bin); return a.lines().some((l) => l.process?.executable === bin && l.event?.action === 'exec'); }, 60_000, 200);
}

async function execBlock() {
  const src = join(dir, 'marker.c');
  writeFileSync(src, '#include <fcntl.h>\n#include <stdio.h>\nint main(int c, char **v) { char p[256]; snprintf(p, sizeof p, "%s/m-%s", v[1], v[2]); return open(p, O_CREAT | O_WRONLY, 0600) < 0; }\n');
  const bin = join(dir, 'blocked-marker');
  spawnSync('cc', ['-O2', '-o', bin, src]);
  const marks = join(dir, 'marks');
  mkdirSync(marks);
  if (spawnSync(bin, [marks, 'probe']).status !== 0 || !existsSync(join(marks, 'm-probe'))) throw new Error('the marker binary does not work unblocked');
  rmSync(join(marks, 'm-probe'));
  const a = agent(['--no-db', '--no-default-rules', '--block-exec', bin], 'block');
  await live(a, 'block');
  let killed = 0;
  for (let i = 0; i < 1000; i++) if (spawnSync(bin, [marks, String(i)]).signal === 'SIGKILL') killed++;
  await a.stop();
  return { tries: 1000, killed, markers: readdirSync(marks).length };
}

/**
 * The tree's death from the kernel's own events: its members are the root
 * and every process forked inside it (fork events); each one alive at the
 * trigger must have an exit event, and the last exit's kernel time less the
 * trigger exec's is the time to the death of the last process.
 */
function treeDeath(events, root, triggerNs) {
  const members = new Set([root]);
  const exitNs = new Map();
  const byTime = events.filter((e) => e.vigil?.ts_boot_ns).sort((a, b) => (BigInt(a.vigil.ts_boot_ns) < BigInt(b.vigil.ts_boot_ns) ? -1 : 1));
  for (const e of byTime) {
    const act = e.event?.action;
    if (act === 'fork' && members.has(e.process?.pid) && !e.vigil.child?.thread) members.add(e.vigil.child.pid);
    else if (act === 'exit' && members.has(e.process?.pid)) exitNs.set(e.process.pid, BigInt(e.vigil.ts_boot_ns));
  }
  let last = triggerNs;
  let alive = 0;
  let unconfirmed = 0;
  for (const m of members) {
    const t = exitNs.get(m);
    if (t === undefined) unconfirmed++;
    else if (t >= triggerNs) {
      alive++;
      if (t > last) last = t;
    }
  }
  return { alive, unconfirmed, ms: Number(last - triggerNs) / 1e6 };
}

/**
 * mode 'kernel': the agent carries the rule out in the kernel at exec (its
 * default); 'user': from user space (--no-kernel-responses); 'floor': no
 * rule, the root execs a binary whose first act is kill(0, SIGKILL), the
 * fastest a tree can be killed here, so its death time is what process
 * teardown alone costs on this machine.
 */
async function killTree(mode, n = Number(process.env.VIGIL_KILL_TREE_RUNS ?? 40)) {
  const name = `kill-${mode}`;
  const rules = join(dir, `rules-${name}`);
  mkdirSync(rules);
  const trig = join(dir, mode === 'floor' ? 'bench-killpg' : 'bench-forker');
  if (mode === 'floor') {
    writeFileSync(`${trig}.c`, '#include <signal.h>\n#include <unistd.h>\nint main(void) { kill(0, SIGKILL); pause(); return 0; }\n');
    if (spawnSync('cc', ['-O2', '-o', trig, `${trig}.c`]).status !== 0) throw new Error('cannot build the kill(0, SIGKILL) helper');
  } else {
    writeFileSync(join(rules, 'kill.yml'), ['title: Bench forker', 'id: bench-forker', 'level: high', 'response: kill-tree',
      'logsource: {product: linux, category: process_creation}', 'detection:', '  sel:', '    Image|endswith: /bench-forker', '  condition: sel', ''].join('\n'));
    copyFileSync('/bin/sleep', trig);
  }
  const a = agent(['--no-db', '--no-default-rules', '--rules', rules, '--response-rate', '1000', ...(mode === 'user' ? ['--no-kernel-responses'] : [])], name);
  await live(a, name);
  const out = { mode, n, toSignal: [], toDeath: [], work: [], trees: [], alive: [], unconfirmed: 0, inKernel: 0, signalled: [] };
  for (let i = 0; i < n; i++) {
    const from = a.lines().length;
    // Forks as fast as it can: every child forks again until killed.
    // Its own process group: every process of the tree, whoever its parent is by then.
    // Two fork loops run for 200 ms, then the root execs the trigger.
    const p = spawn('bash', ['-c', `f() { while :; do sleep 0.001 & done; }; f & f & sleep 0.2; exec ${trig} 600`], { stdio: 'ignore', detached: true });
    // The bench stays idle while the tree dies (reading the agent's output or scanning /proc
    // would take a CPU from it): it waits for the root's exit, then for the group to be gone.
    await new Promise((ok) => (p.exitCode !== null || p.signalCode ? ok() : p.once('exit', ok)));
    await until(() => groupAlive(p.pid) === 0, 20_000, 20);
    if (mode !== 'floor') {
      const seen = await until(() => a.lines().find((l) => l.rule?.id === 'bench-forker' && l.process?.pid === p.pid && l.vigil?.response), 10_000, 20);
      const [r] = seen.vigil.response;
      if (r.ok) {
        out.toSignal.push(r.latency_ms);
        if (r.work_ms !== undefined) out.work.push(r.work_ms);
        out.trees.push(r.pids.length);
        if (r.kernel) {
          out.inKernel++;
          out.signalled.push(r.kernel.signalled);
        }
        if (process.env.VIGIL_BENCH_VERBOSE && r.pids.length > 1) log(`run ${i}: the sweep signalled ${r.pids.length - 1}: ${JSON.stringify(r)}`);
      } else {
        log(`kill-tree ${i} not carried out: ${r.error}`);
      }
    }
    await live(a, `${name}-${i}`); // every event of the tree's death has been read
    const events = a.lines().slice(from);
    const trigger = events.find((e) => e.event?.action === 'exec' && e.process?.pid === p.pid && e.process?.executable === trig);
    if (trigger) {
      const d = treeDeath(events, p.pid, BigInt(trigger.vigil.ts_boot_ns));
      out.toDeath.push(d.ms);
      out.alive.push(d.alive);
      out.unconfirmed += d.unconfirmed;
    }
  }
  await a.stop();
  return out;
}

async function manual(n = 100) {
  const { buildApp } = await import(join(ROOT, 'dist/control-plane/src/app.js'));
  const { loadConfig } = await import(join(ROOT, 'dist/control-plane/src/config.js'));
  const app = await buildApp(loadConfig({ dbPath: join(dir, 'cp.db'), port: 0, logLevel: 'silent' }));
  const agentTok = app.vigil.tokens.create('agent', 'bench').token;
  const resp = app.vigil.tokens.create('responder', 'bench').token;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const a = agent(['--no-db', '--no-default-rules', '--control-plane', base.replace('http', 'ws'), '--token', agentTok], 'manual');
  await until(() => app.vigil.registry.size > 0, 30_000);
  const host = app.vigil.registry.hostIds()[0];
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const post = async () => {
    const t0 = performance.now();
    const r = await fetch(`${base}/v1/agents/${host}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${resp}` }, body: JSON.stringify({ action: 'resume-tree', target: { pid: sleeper.pid } }) });
    const j = await r.json();
    return { ms: performance.now() - t0, ok: j.ok === true };
  };
  // The first request after start pays for cold code paths (route, session, audit insert):
  // reported on its own, not in the idle figures.
  const first = await post();
  const ms = [];
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const r = await post();
    ms.push(r.ms);
    if (r.ok) ok++;
  }
  if (process.env.VIGIL_BENCH_VERBOSE) log(`manual: slowest ${[...ms].sort((x, y) => y - x).slice(0, 6).map((x) => x.toFixed(1)).join(', ')} ms`);
  const audited = app.vigil.audit.list(10_000).filter((e) => e.action === 'action').length - 1;
  sleeper.kill('SIGKILL');
  await a.stop();
  await app.close();
  return { n, ok, audited, ms, first };
}

async function blockCost(pairs = 3) {
  const storm = join(ROOT, 'build/bench/exec_storm');
  const rate = () => Number(/^([\d.]+)/.exec(spawnSync(storm, ['2000', '3'], { encoding: 'utf8' }).stdout)?.[1]);
  const other = join(dir, 'never-run');
  copyFileSync('/bin/true', other);
  const ratios = [];
  for (let i = 0; i < pairs; i++) {
    const a = agent(['--no-db', '--no-default-rules'], `cost-a${i}`);
    await live(a, `cost-a${i}`);
    const without = rate();
    await a.stop();
    const b = agent(['--no-db', '--no-default-rules', '--block-exec', other], `cost-b${i}`);
    await live(b, `cost-b${i}`);
    const withBlock = rate();
    await b.stop();
    ratios.push(without / withBlock);
  }
  return { ratios };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root');
  const eb = want('exec-block') ? (log('exec block ...'), await execBlock()) : undefined;
  const kt = want('kill-tree') ? (log('kill-tree, in the kernel ...'), await killTree('kernel')) : undefined;
  const ku = want('kill-tree') ? (log('kill-tree, from user space (--no-kernel-responses) ...'), await killTree('user')) : undefined;
  const kf = want('kill-tree') ? (log('kill-tree floor: the tree kills itself (kill(0, SIGKILL)) ...'), await killTree('floor')) : undefined;
  const ma = want('manual') ? (log('manual actions ...'), await manual()) : undefined;
  const bc = want('cost') ? (log('exec-block cost ...'), await blockCost()) : undefined;
  const lines = [
    '| Measure | Result | Target |',
    '|---|---:|---:|',
    eb && `| Exec block: markers written in ${eb.tries} runs of the blocked binary (${eb.killed} killed by SIGKILL) | ${eb.markers} | 0 |`,
    ...[kt, ku].filter(Boolean).flatMap((k) => {
      const how = k.mode === 'kernel' ? `in the kernel at exec (${k.inKernel}/${k.n} runs; ${fmt(pct(k.signalled, 50))} processes signalled, median)` : 'from user space (--no-kernel-responses)';
      return [
        `| Rule kill-tree of a fork-bombing tree, ${how}: kernel exec time -> last SIGKILL sent, median / p99 (${k.toSignal.length}/${k.n} ok) | ${fmt(pct(k.toSignal, 50))} / ${fmt(pct(k.toSignal, 99))} ms | p99 <= 5 ms |`,
        `| Same: exec -> exit of the tree's last process, kernel times (${fmt(pct(k.alive, 50))} processes alive at the exec, median; ${k.unconfirmed} without an exit event), median / p99 | ${fmt(pct(k.toDeath, 50))} / ${fmt(pct(k.toDeath, 99))} ms | p99 <= 5 ms |`,
        `| Same: the responder's work in user space (${fmt(pct(k.trees, 50))} processes signalled there, median), median / p99 | ${fmt(pct(k.work, 50))} / ${fmt(pct(k.work, 99))} ms | |`,
      ];
    }),
    kf && `| Floor, no Vigil response: the same tree's root execs a binary that calls kill(0, SIGKILL) at once; exec -> exit of the last process (${fmt(pct(kf.alive, 50))} alive, median; ${kf.unconfirmed} without an exit event), median / p99 | ${fmt(pct(kf.toDeath, 50))} / ${fmt(pct(kf.toDeath, 99))} ms | |`,
    ma && `| Manual action through the control plane (POST -> confirmed), idle, median / p99 (${ma.ok}/${ma.n} ok, ${ma.audited} audited; the first request after start, not counted: ${fmt(ma.first.ms)} ms) | ${fmt(pct(ma.ms, 50))} / ${fmt(pct(ma.ms, 99))} ms | p99 <= 100 ms |`,
    bc && `| Exec storm with a block entry vs without, median of ${bc.ratios.length} pairs | ${pct(bc.ratios, 50).toFixed(3)}x (${bc.ratios.map((r) => r.toFixed(3)).join(', ')}) | <= 1.02x |`,
  ].filter(Boolean);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (REPORT) appendFileSync(REPORT, `\n## Response (bench/response.mjs)\n\n${lines.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(`response bench failed: ${err.stack}\n`); process.exitCode = 1; })
  .finally(() => { if (!process.env.VIGIL_BENCH_KEEP) rmSync(dir, { recursive: true, force: true }); else log(`kept ${dir}`); });
