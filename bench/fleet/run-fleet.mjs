// Fleet simulator: N agents (each its own host id and agent token) against
// one or more control-plane replicas, with heartbeats, alert batches and
// forwarded events at set rates, and one feed subscriber (an automated
// responder resuming by cursor). Reports lost and duplicated alerts, the
// agent-send -> subscriber latency, and the replicas' CPU and RSS.
//
//   node bench/fleet/run-fleet.mjs --agents 1000 --alerts-per-s 1 --events-per-s 50 --duration 60
//   node bench/fleet/run-fleet.mjs --agents 10000 --alerts-per-min 1 --events-per-s 0 --duration 120
//   ... --replicas 2 --start-nats [--kill-replica-at 30] [--restart-nats-at 30]   (fleet backbone)
//   ... --replicas 2 --nats nats://HOST:PORT   (a nats-server you run)
//
// The simulator shares the 2 cores with the control plane; its own CPU is reported too.
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuSeconds, rssMb, startReplica } from './control-plane-proc.mjs';
import { FeedSubscriber } from './feed-subscriber.mjs';
import { SimAgent } from './sim-agent.mjs';
import { NatsProc } from './nats-proc.mjs';
import { ROOT } from './wire.mjs';

const require = createRequire(import.meta.url);
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const num = (name, dflt) => Number(arg(name, dflt));

const AGENTS = num('--agents', 100);
const ALERTS_PER_S = process.argv.includes('--alerts-per-min') ? num('--alerts-per-min', 1) / 60 : num('--alerts-per-s', 1);
const EVENTS_PER_S = num('--events-per-s', 50);
const HEARTBEAT_MS = num('--heartbeat-ms', 10_000);
const DURATION_S = num('--duration', 30);
const REPLICAS = num('--replicas', 1);
const START_NATS = process.argv.includes('--start-nats');
let NATS = arg('--nats');
const RESTART_NATS_AT_S = arg('--restart-nats-at') === undefined ? undefined : num('--restart-nats-at');
const KILL_AT_S = arg('--kill-replica-at') === undefined ? undefined : num('--kill-replica-at');
const REPORT = arg('--report');
const LABEL = arg('--label', `${AGENTS} agents`);
const TICK_MS = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

function makeTokens(dbPath, n) {
  const { openDb } = require(join(ROOT, 'dist/control-plane/src/store/db.js'));
  const { AuditStore } = require(join(ROOT, 'dist/control-plane/src/store/audit-store.js'));
  const { TokenStore } = require(join(ROOT, 'dist/control-plane/src/store/token-store.js'));
  const db = openDb(dbPath);
  const tokens = new TokenStore(db, new AuditStore(db));
  const agents = db.transaction(() => Array.from({ length: n }, (_, i) => tokens.create('agent', `sim-${i}`).token))();
  const viewer = tokens.create('viewer', 'sim-feed').token;
  db.close();
  return { agents, viewer };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
  const nats = START_NATS ? await NatsProc.start(join(dir, 'nats')) : undefined;
  if (nats) NATS = nats.url;
  if (REPLICAS > 1 && !NATS) throw new Error('--replicas > 1 needs --nats URL or --start-nats: replicas share one alert sequence only through the fleet backbone');
  if (RESTART_NATS_AT_S !== undefined && !nats) throw new Error('--restart-nats-at needs --start-nats');
  const dbPath = join(dir, 'cp.db');
  const t0 = Date.now();
  const { agents: tokens, viewer } = makeTokens(dbPath, AGENTS);
  const replicas = [];
  for (let i = 0; i < REPLICAS; i++) {
    // Each replica has its own SQLite (an alert cache filled from the stream); tokens are not
    // in the backbone yet, so every replica starts from a copy of the one holding them.
    const db = i === 0 ? dbPath : join(dir, `cp${i}.db`);
    if (i > 0) copyFileSync(dbPath, db);
    replicas.push(await startReplica({ dir, name: `cp${i}`, dbPath: db, extraArgs: NATS ? ['--nats', NATS] : [] }));
  }
  const urls = replicas.map((r) => r.url);
  const sub = new FeedSubscriber({ urls, token: viewer });
  await sub.start(0);

  let acked = 0;
  const sims = tokens.map((token, i) => {
    const a = new SimAgent({ hostId: `sim-host-${String(i).padStart(5, '0')}`, token, urls: [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)], onAck: (n) => { acked += n; } });
    a.phase = Math.random();
    return a;
  });
  // Ramp up in waves so the accept queue is not flooded.
  for (let i = 0; i < sims.length; i += 250) {
    sims.slice(i, i + 250).forEach((s) => s.connect());
    await sleep(100);
  }
  const connectDeadline = Date.now() + 120_000;
  while (sims.some((s) => !s.live) && Date.now() < connectDeadline) await sleep(200);
  const connected = sims.filter((s) => s.live).length;
  const rampS = (Date.now() - t0) / 1000;

  // Steady state: every tick, each agent sends what its rates owe it.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = replicas.map((r) => cpuSeconds(r.child.pid));
  const natsCpu0 = nats ? cpuSeconds(nats.proc.pid) : 0;
  const selfCpu0 = process.cpuUsage();
  const start = Date.now();
  const rss = replicas.map(() => 0);
  let raised = 0;
  let killed;
  const alertDebt = new Float64Array(sims.length);
  let tickN = 0;
  const timer = setInterval(() => {
    tickN++;
    const now = Date.now();
    for (let i = 0; i < sims.length; i++) {
      const s = sims[i];
      alertDebt[i] += ALERTS_PER_S * TICK_MS / 1000;
      const n = Math.floor(alertDebt[i] + s.phase) - Math.floor(s.phase);
      if (n > 0) { s.raise(n); raised += n; alertDebt[i] -= n; }
      // Events once a second per agent, heartbeats every HEARTBEAT_MS, spread by phase.
      if ((tickN + Math.floor(s.phase * 10)) % 10 === 0) s.forwardEvents(EVENTS_PER_S);
      if (Math.floor((now + s.phase * HEARTBEAT_MS) / HEARTBEAT_MS) !== Math.floor((now - TICK_MS + s.phase * HEARTBEAT_MS) / HEARTBEAT_MS)) s.heartbeat();
    }
  }, TICK_MS);
  const sampler = setInterval(() => replicas.forEach((r, i) => { if (r.child.exitCode === null && !r.killed) rss[i] = Math.max(rss[i], rssMb(r.child.pid)); }), 1000);
  if (KILL_AT_S !== undefined) {
    setTimeout(() => {
      killed = { name: replicas[0].name, at: Date.now() };
      replicas[0].killed = true;
      replicas[0].child.kill('SIGKILL');
    }, KILL_AT_S * 1000);
  }
  let natsRestart;
  if (RESTART_NATS_AT_S !== undefined) {
    setTimeout(async () => {
      const t = Date.now();
      await nats.stop('SIGKILL');
      await sleep(2000);
      await nats.start();
      natsRestart = { down_ms: Date.now() - t };
    }, RESTART_NATS_AT_S * 1000);
  }
  await sleep(DURATION_S * 1000);
  clearInterval(timer);
  const wall = (Date.now() - start) / 1000;
  loopDelay.disable();
  const cpLag = await Promise.all(replicas.filter((r) => !r.killed).map(async (r) => {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    return Number(/^vigil_cp_nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1] ?? /eventloop_lag_p99_seconds (\S+)/.exec(text)?.[1]) * 1000;
  }));
  const cpu = replicas.map((r, i) => (r.killed ? NaN : (cpuSeconds(r.child.pid) - cpu0[i]) / wall));
  const selfCpu = process.cpuUsage(selfCpu0);
  const natsCpu = nats && nats.proc.exitCode === null && RESTART_NATS_AT_S === undefined ? (cpuSeconds(nats.proc.pid) - natsCpu0) / wall : undefined;
  // Drain: every raised alert must reach the subscriber (agents re-send unacked ones).
  sub.recording = false;
  const drainDeadline = Date.now() + 60_000;
  while (sub.seen.size < raised && Date.now() < drainDeadline) await sleep(200);
  clearInterval(sampler);
  const outboxLeft = sims.reduce((n, s) => n + s.outbox.length, 0);
  const reconnect = sims.flatMap((s) => s.reconnectMs);

  const result = {
    label: LABEL, agents: AGENTS, connected, replicas: REPLICAS, nats: Boolean(NATS), duration_s: DURATION_S, ramp_s: rampS,
    alerts_per_s: Math.round(AGENTS * ALERTS_PER_S * 100) / 100, events_per_s: AGENTS * EVENTS_PER_S,
    alerts_raised: raised, alerts_acked: acked, alerts_delivered: sub.seen.size, alerts_lost: raised - sub.seen.size,
    duplicates: sub.duplicates, outbox_left: outboxLeft, subscriber_reconnects: sub.reconnects,
    latency_ms: { p50: pct(sub.latencies, 50), p99: pct(sub.latencies, 99), max: pct(sub.latencies, 100) },
    ingest_latency_ms: { p50: pct(sub.ingestLatencies, 50), p99: pct(sub.ingestLatencies, 99) },
    cp_cpu_cores: cpu.map((c) => Math.round(c * 1000) / 1000), cp_rss_mb: rss.map((m) => Math.round(m)),
    cp_cpu_pct_per_100_agents: Math.round((cpu.filter(Number.isFinite).reduce((a, b) => a + b, 0) * 100 / (AGENTS / 100)) * 100) / 100,
    cp_rss_mb_per_100_agents: Math.round((rss.reduce((a, b) => a + b, 0) / (AGENTS / 100)) * 10) / 10,
    sim_loop_delay_p99_ms: Math.round(loopDelay.percentile(99) / 1e6), cp_loop_lag_p99_ms: cpLag.map(Math.round),
    nats_cpu_cores: natsCpu === undefined ? undefined : Math.round(natsCpu * 1000) / 1000,
    sim_cpu_cores: Math.round(((selfCpu.user + selfCpu.system) / 1e6 / wall) * 1000) / 1000,
    killed: killed?.name, nats_restart: natsRestart, reconnect_ms: reconnect.length ? { p50: pct(reconnect, 50), max: pct(reconnect, 100), agents: reconnect.length } : undefined,
  };
  console.log(JSON.stringify(result, null, 2));
  if (REPORT) {
    const r = result;
    appendFileSync(REPORT, `| ${r.label} | ${r.replicas}${r.nats ? ' + NATS' : ''} | ${r.alerts_per_s} | ${r.events_per_s} | ${r.alerts_raised} | ${r.alerts_lost} | ${r.duplicates} | ${r.latency_ms.p50} / ${r.latency_ms.p99} | ${r.cp_cpu_cores.map((c) => (Number.isFinite(c) ? c : '-')).join(', ')} | ${r.cp_rss_mb.join(', ')} | ${r.cp_cpu_pct_per_100_agents}% / ${r.cp_rss_mb_per_100_agents} MB |${r.killed ? ` killed ${r.killed}; reconnect max ${r.reconnect_ms?.max} ms` : ''}${r.nats_restart ? ` nats-server down ${r.nats_restart.down_ms} ms` : ''} |\n`);
  }
  sub.close();
  sims.forEach((s) => s.close());
  for (const r of replicas) if (!r.killed) r.child.kill('SIGTERM');
  await sleep(500);
  await nats?.stop('SIGTERM');
  if (process.env.FLEET_KEEP) console.error(`kept ${dir} (replica logs)`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(result.alerts_lost === 0 && result.duplicates === 0 ? 0 : 1);
}

main().catch((err) => { console.error(err); process.exit(2); });
