#!/usr/bin/env node
// Alerts through control-plane replicas, measured from the agent's send to a
// feed subscriber: with --nats, two replica processes on one nats-server
// (agents on replica A, the subscriber on replica B); with --embedded, one
// process and no NATS. Agents are protocol-level WebSocket clients (the real
// codec, one token and host each), each sending one-alert batches at a fixed
// rate. Prints throughput, p50/p99 latency (send -> ack, send -> subscriber), lost and duplicated alerts, and
// each replica's CPU and peak RSS. Not root, no probes: safe beside e2e runs.
// Usage: node bench/fleet-alerts.mjs [--embedded] [--agents 20] [--rate 10] [--seconds 20]
// Needs dist/ (npx tsc -p tsconfig.json) and nats-server on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist/cli/vigil.js');
const proto = createRequire(import.meta.url)(join(ROOT, 'dist/proto/src/index.js'));
const arg = (name, def) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : def);
const EMBEDDED = process.argv.includes('--embedded');
const AGENTS = arg('agents', 20);
const RATE = arg('rate', 10);
const SECONDS = arg('seconds', 20);
const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-bench-'));
const procs = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () => new Promise((res) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});

function token(db, role, name) {
  const r = spawnSync(process.execPath, [CLI, 'token', 'create', '--role', role, '--name', name, '--db', db], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

function start(cmd, args, ready) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(p);
  let log = '';
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${cmd} not ready:\n${log}`)), 15_000);
    p.stderr.on('data', (d) => { log += d; if (ready(log)) { clearTimeout(t); res(p); } });
    p.once('exit', (c) => rej(new Error(`${cmd} exited ${c}:\n${log}`)));
  });
}

async function waitHttp(port) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* not yet */ }
    await sleep(50);
  }
  throw new Error(`control plane on ${port} never healthy`);
}

/** utime+stime in ms and current RSS in MB of a pid. */
function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const tick = 1000 / 100;
  const rss = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  return { cpuMs: (Number(stat[11]) + Number(stat[12])) * tick, rssMb: rss };
}

async function replica(db, natsUrl) {
  const port = await freePort();
  const args = ['control-plane', '--listen', `127.0.0.1:${port}`, '--db', db, '--log-level', 'warn'];
  if (natsUrl) args.push('--nats', natsUrl);
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(p);
  await waitHttp(port);
  return { port, pid: p.pid, db };
}

function agentSession(port, tok, host) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/agent`, { headers: { authorization: `Bearer ${tok}` } });
  const s = { ws, host, seq: 0, acked: 0, ready: null, sentAt: new Map() };
  s.ready = new Promise((res, rej) => {
    ws.once('error', rej);
    ws.on('open', () => ws.send(proto.encodeEnvelope({ hello: { host_id: host, hostname: host, kernel: 'bench', agent_version: 'bench' } })));
    ws.on('message', (data) => {
      const env = proto.decodeEnvelope(data);
      if (env.payload === 'server_hello') res();
      if (env.payload === 'ack') {
        const now = performance.now();
        for (let q = s.acked + 1; q <= env.ack.seq; q++) {
          if (s.sentAt.has(q)) ackLat.push(now - s.sentAt.get(q));
          s.sentAt.delete(q);
        }
        s.acked = Math.max(s.acked, env.ack.seq);
      }
    });
  });
  s.send = () => {
    s.seq++;
    s.sentAt.set(s.seq, performance.now());
    ws.send(proto.encodeEnvelope({ alert_batch: { first_seq: s.seq, alerts: [{
      id: `${host}-${s.seq}`, seq: s.seq, rule_id: 'bench', rule_name: 'bench', severity: 'SEVERITY_LOW',
      timestamp: new Date().toISOString(), count: 1, json: JSON.stringify({ sent: performance.timeOrigin + performance.now() }),
    }] } }));
  };
  return s;
}

const ackLat = [];
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  let natsUrl;
  if (!EMBEDDED) {
    const np = await freePort();
    await start('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(np), '-sd', join(dir, 'nats')], (l) => l.includes('Server is ready'));
    natsUrl = `nats://127.0.0.1:${np}`;
  }
  const dbA = join(dir, 'a.db');
  const dbB = EMBEDDED ? dbA : join(dir, 'b.db');
  const agentToks = Array.from({ length: AGENTS }, (_, i) => token(dbA, 'agent', `bench-${i}`));
  const viewer = token(dbB, 'viewer', 'bench-viewer');
  const a = await replica(dbA, natsUrl);
  const b = EMBEDDED ? a : await replica(dbB, natsUrl);

  const seen = new Map();
  const lat = [];
  let dups = 0;
  const feed = new WebSocket(`ws://127.0.0.1:${b.port}/v1/alerts/stream?after=0`, { headers: { authorization: `Bearer ${viewer}` } });
  feed.on('message', (data) => {
    const now = performance.timeOrigin + performance.now();
    const r = JSON.parse(data.toString());
    const key = `${r.host_id}:${r.agent_seq}`;
    if (seen.has(key)) dups++;
    seen.set(key, r.seq);
    lat.push(now - r.doc.sent);
  });
  await new Promise((r) => feed.once('open', r));

  const sessions = agentToks.map((t, i) => agentSession(a.port, t, `bench-host-${i}`));
  await Promise.all(sessions.map((s) => s.ready));
  const u0 = [usage(a.pid), ...(EMBEDDED ? [] : [usage(b.pid)])];
  let peak = u0.map((u) => u.rssMb);
  const t0 = Date.now();
  const tickMs = 1000 / RATE;
  // Spread agents over the tick so sends do not all fire together.
  await new Promise((done) => {
    sessions.forEach((s, i) => setTimeout(() => {
      const timer = setInterval(() => {
        if (Date.now() - t0 >= SECONDS * 1000) { clearInterval(timer); return; }
        s.send();
      }, tickMs);
    }, (i * tickMs) / sessions.length));
    const sampler = setInterval(() => {
      peak = [a, ...(EMBEDDED ? [] : [b])].map((r, i) => Math.max(peak[i], usage(r.pid).rssMb));
      if (Date.now() - t0 >= SECONDS * 1000 + 200) { clearInterval(sampler); done(); }
    }, 500);
  });
  const sent = sessions.reduce((n, s) => n + s.seq, 0);
  const end = Date.now() + 15_000;
  while (seen.size < sent && Date.now() < end) await sleep(50);
  const elapsed = (Date.now() - t0) / 1000;
  const u1 = [usage(a.pid), ...(EMBEDDED ? [] : [usage(b.pid)])];
  const acked = sessions.reduce((n, s) => n + s.acked, 0);
  lat.sort((x, y) => x - y);
  ackLat.sort((x, y) => x - y);
  const cpu = u1.map((u, i) => (((u.cpuMs - u0[i].cpuMs) / 1000 / SECONDS) * 100).toFixed(1));
  console.log(JSON.stringify({
    mode: EMBEDDED ? 'embedded' : 'nats (2 replicas)', agents: AGENTS, rate_per_agent: RATE, seconds: SECONDS,
    sent, acked, delivered: seen.size, lost: sent - seen.size, duplicates: dups,
    throughput_per_s: Math.round(seen.size / SECONDS),
    ack_latency_ms: { p50: +pct(ackLat, 50).toFixed(1), p99: +pct(ackLat, 99).toFixed(1) },
    latency_ms: { p50: +pct(lat, 50).toFixed(1), p99: +pct(lat, 99).toFixed(1), max: +lat[lat.length - 1].toFixed(1) },
    replica_cpu_pct_of_core: cpu, replica_peak_rss_mb: peak.map((x) => Math.round(x)), drain_s: +(elapsed - SECONDS).toFixed(1),
  }, null, 2));
  for (const s of sessions) s.ws.close();
  feed.close();
}

main().catch((err) => { console.error(err); process.exitCode = 1; }).finally(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
});
