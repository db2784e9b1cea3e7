#!/usr/bin/env node
// Kernel event -> alert at a WebSocket subscriber, end to end: a real control
// plane, a real agent, a feed subscriber, and N real detections (an exec whose
// command line names /dev/tcp). Latency = receipt time at the subscriber minus
// the triggering exec's kernel timestamp. Prints median and p99.
// Usage (root): node bench/latency.mjs [N=60] [--storm] [--report FILE.md]
//   --storm: open storm running; --report: also append a result line to FILE.md
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist/cli/vigil.js');
const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 60);
const STORM = process.argv.includes('--storm');
const REPORT = process.argv.includes('--report') ? process.argv[process.argv.indexOf('--report') + 1] : undefined;
const PORT = 7600 + Math.floor(Math.random() * 300);
const dir = mkdtempSync(join(tmpdir(), 'vigil-latency-'));
const procs = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function token(role) {
  const r = spawnSync(process.execPath, [CLI, 'token', 'create', '--role', role, '--db', join(dir, 'cp.db')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n')[0];
}

function start(args, name) {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  p.name = name;
  procs.push(p);
  return p;
}

async function main() {
  const agentTok = token('agent');
  const viewerTok = token('viewer');
  start(['control-plane', '--listen', `127.0.0.1:${PORT}`, '--db', join(dir, 'cp.db'), '--log-level', 'warn'], 'cp');
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) break; } catch { /* not up yet */ }
    await sleep(100);
  }
  start(['agent', '--control-plane', `ws://127.0.0.1:${PORT}`, '--token', agentTok, '--db', join(dir, 'ev.db'), '--log-level', 'warn'], 'agent');

  const got = new Map();
  const ws = new WebSocket(`ws://127.0.0.1:${PORT}/v1/alerts/stream?token=${viewerTok}`);
  ws.on('message', (data) => {
    const now = Date.now();
    const text = data.toString();
    const m = /vigil-lat-(\d+)/.exec(text);
    if (!m || got.has(Number(m[1]))) return;
    const rec = JSON.parse(text);
    const doc = rec.doc ?? rec.alert ?? rec;
    const trig = doc?.vigil?.alert?.events?.[0]?.['@timestamp'] ?? doc['@timestamp'];
    const iso = String(trig);
    const ms = Date.parse(iso.slice(0, 23) + 'Z');
    const subMs = Number(`0.${(iso.split('.')[1] ?? '0').replace(/\D/g, '').slice(3) || '0'}`);
    got.set(Number(m[1]), now - (ms + subMs));
  });
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });

  const sh = join(dir, 'sh');
  copyFileSync('/bin/sh', sh);
  // Wait for the agent's probes: keep triggering marker 0 until it arrives.
  for (let i = 0; i < 150 && !got.has(0); i++) {
    spawnSync(sh, ['-c', 'echo /dev/tcp/127.0.0.1/9 vigil-lat-0 >/dev/null']);
    await sleep(200);
  }
  if (!got.has(0)) throw new Error('agent never delivered the warm-up alert');

  let storm;
  if (STORM) storm = spawn(join(ROOT, 'build/bench/open_storm'), ['100000000', '600'], { stdio: 'ignore' });
  for (let i = 1; i <= N; i++) {
    spawnSync(sh, ['-c', `echo /dev/tcp/127.0.0.1/9 vigil-lat-${i} >/dev/null`]);
    await sleep(100);
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && [...Array(N).keys()].some((i) => !got.has(i + 1))) await sleep(50);
  storm?.kill('SIGKILL');

  const lat = [...Array(N).keys()].map((i) => got.get(i + 1)).filter((v) => v !== undefined).sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)];
  const ms = (v) => (v === undefined ? null : +v.toFixed(1));
  const out = { mode: STORM ? 'open storm' : 'idle', sent: N, received: lat.length, median_ms: ms(pct(50)), p99_ms: ms(pct(99)), max_ms: ms(lat[lat.length - 1]) };
  console.log(JSON.stringify(out));
  if (REPORT) {
    appendFileSync(REPORT, `- ${out.mode}: ${out.received}/${out.sent} alerts delivered, median ${out.median_ms} ms, ` +
      `p99 ${out.p99_ms} ms, max ${out.max_ms} ms (\`node bench/latency.mjs ${N}${STORM ? ' --storm' : ''}\`)\n`);
  }
  if (process.env.LAT_DEBUG) console.log(lat.map((v) => v.toFixed(1)).join(' '));
  ws.close();
}

main()
  .catch((err) => { console.error(`latency: ${err.message}`); process.exitCode = 1; })
  .finally(async () => {
    for (const p of procs.reverse()) p.kill('SIGTERM');
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  });
