#!/usr/bin/env node
// Response figures, on the real kernel, one agent at a time:
//  1. exec block: a binary whose first act is to create a marker file, run
//     1000 times while `--block-exec` names it: markers that appear (target 0);
//  2. rule-triggered kill-tree on a tree that forks as fast as it can: the
//     root starts two fork loops, lets them run, then execs the binary the
//     rule names. Kernel event time of that exec -> last SIGKILL sent, and ->
//     every process of the tree (its process group) found gone (median, p99;
//     target p99 <= 5 ms);
//  3. a manual action through the control plane (resume-tree on a sleeping
//     process, harmless): POST -> confirmed answer, idle (median, p99; target
//     p99 <= 100 ms);
//  4. the exec-block map's cost on an exec storm: rate with a block entry vs
//     without (median of pairs; target <= 1.02x).
// Usage (root): node bench/response.mjs [--report FILE.md] [--only exec-block,kill-tree,manual,cost]
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
  const p = spawn(process.execPath, [CLI, 'agent', '--jsonl', jsonl, '--no-baseline', '--log-level', 'warn', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
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

async function killTree(n = 40) {
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'kill.yml'), ['title: Bench forker', 'id: bench-forker', 'level: high', 'response: kill-tree',
    'logsource: {product: linux, category: process_creation}', 'detection:', '  sel:', '    Image|endswith: /bench-forker', '  condition: sel', ''].join('\n'));
  const forker = join(dir, 'bench-forker');
  copyFileSync('/bin/sleep', forker);
  const a = agent(['--no-db', '--no-default-rules', '--rules', rules, '--response-rate', '1000'], 'kill');
  await live(a, 'kill');
  const toSignal = [];
  const toGone = [];
  const work = [];
  const trees = [];
  for (let i = 0; i < n; i++) {
    // Forks as fast as it can: every child forks again until killed.
    // Its own process group: every process of the tree, whoever its parent is by then.
    // Two fork loops run for 200 ms, then the root execs the binary the rule names.
    const p = spawn('bash', ['-c', `f() { while :; do sleep 0.001 & done; }; f & f & sleep 0.2; exec ${forker} 600`], { stdio: 'ignore', detached: true });
    // Gone: no running process left in the tree's process group (zombies run nothing), watched
    // from the start in this process, so the time is not the time it takes to read the alert.
    const gone = until(() => (groupAlive(p.pid) === 0 ? Date.now() : undefined), 20_000, 0);
    const seen = await until(() => a.lines().find((l) => l.rule?.id === 'bench-forker' && l.process?.pid === p.pid && l.vigil?.response), 10_000, 5);
    const [r] = seen.vigil.response;
    if (r.ok) {
      toSignal.push(r.latency_ms);
      work.push(r.work_ms);
      trees.push(r.pids.length);
    } else {
      log(`kill-tree ${i} not carried out: ${r.error}`);
      try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    toGone.push((await gone) - Date.parse(seen['@timestamp']));
    await new Promise((ok) => (p.exitCode !== null || p.signalCode ? ok() : p.once('exit', ok)));
  }
  await a.stop();
  return { n, toSignal, toGone, work, trees };
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
  const ms = [];
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}/v1/agents/${host}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${resp}` }, body: JSON.stringify({ action: 'resume-tree', target: { pid: sleeper.pid } }) });
    const j = await r.json();
    ms.push(performance.now() - t0);
    if (j.ok) ok++;
  }
  const audited = app.vigil.audit.list(10_000).filter((e) => e.action === 'action').length;
  sleeper.kill('SIGKILL');
  await a.stop();
  await app.close();
  return { n, ok, audited, ms };
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
  const kt = want('kill-tree') ? (log('kill-tree ...'), await killTree()) : undefined;
  const ma = want('manual') ? (log('manual actions ...'), await manual()) : undefined;
  const bc = want('cost') ? (log('exec-block cost ...'), await blockCost()) : undefined;
  const lines = [
    '| Measure | Result | Target |',
    '|---|---:|---:|',
    eb && `| Exec block: markers written in ${eb.tries} runs of the blocked binary (${eb.killed} killed by SIGKILL) | ${eb.markers} | 0 |`,
    kt && `| Rule kill-tree of a fork-bombing tree, kernel exec time -> last SIGKILL sent, median / p99 (${kt.toSignal.length}/${kt.n}) | ${fmt(pct(kt.toSignal, 50))} / ${fmt(pct(kt.toSignal, 99))} ms | p99 <= 5 ms |`,
    kt && `| Same, -> every process of the tree gone (seen from /proc), median / p99 | ${fmt(pct(kt.toGone, 50))} / ${fmt(pct(kt.toGone, 99))} ms | |`,
    kt && `| Of which the responder's own work (the kernel armed: stop the tree in rounds, SIGKILL it; ${fmt(pct(kt.trees, 50))} processes median), median / p99 | ${fmt(pct(kt.work, 50))} / ${fmt(pct(kt.work, 99))} ms | |`,
    ma && `| Manual action through the control plane (POST -> confirmed), idle, median / p99 (${ma.ok}/${ma.n} ok, ${ma.audited} audited) | ${fmt(pct(ma.ms, 50))} / ${fmt(pct(ma.ms, 99))} ms | p99 <= 100 ms |`,
    bc && `| Exec storm with a block entry vs without, median of ${bc.ratios.length} pairs | ${pct(bc.ratios, 50).toFixed(3)}x (${bc.ratios.map((r) => r.toFixed(3)).join(', ')}) | <= 1.02x |`,
  ].filter(Boolean);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (REPORT) appendFileSync(REPORT, `\n## Response (bench/response.mjs)\n\n${lines.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(`response bench failed: ${err.stack}\n`); process.exitCode = 1; })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
