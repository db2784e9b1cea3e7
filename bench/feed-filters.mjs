#!/usr/bin/env node
// Filter latency of the dashboard's feed and incident list with a big
// control-plane store (issue 15: ≤ 100 ms to apply a filter at 100,000
// alerts). Fills a temp SQLite store through the real ingest path
// (AlertStore + IncidentStore via AlertIngest.raise-like inserts), then
// times what the page asks for when a filter changes — one page of 100 and
// the severity counts — through the real REST routes (fastify inject, no
// socket), p50/p95 per filter shape.
// Usage: node bench/feed-filters.mjs [--alerts 100000] [--reps 20] [--report FILE.md]
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
const { buildApp } = require(join(ROOT, 'dist/control-plane/src/app.js'));
const { loadConfig } = require(join(ROOT, 'dist/control-plane/src/config.js'));
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const N = Number(arg('--alerts', '100000'));
const REPS = Number(arg('--reps', '20'));
const REPORT = arg('--report');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const SEVERITIES = ['SEVERITY_INFORMATIONAL', 'SEVERITY_LOW', 'SEVERITY_MEDIUM', 'SEVERITY_HIGH', 'SEVERITY_CRITICAL'];
const TACTICS = ['Execution', 'Persistence', 'Discovery', 'Command and Control', 'Defense Evasion', 'Credential Access'];
const USERS = ['root', 'www-data', 'alice', 'bob', 'postgres'];
const EXES = ['/tmp/sh', '/usr/bin/curl', '/usr/bin/python3', '/usr/bin/nc', '/opt/app/bin/worker', '/usr/sbin/sshd', '/bin/bash'];
const HOSTS = Array.from({ length: 20 }, (_, i) => ({ id: `${String(i).padStart(2, '0')}${'f'.repeat(30)}`, name: `web-${i}` }));

const dir = mkdtempSync(join(tmpdir(), 'vigil-feed-bench-'));
const app = await buildApp(loadConfig({ dbPath: join(dir, 'cp.db'), logLevel: 'silent', port: 0 }), { healthMonitor: false });
const { alerts, incidents, db } = app.vigil;
const token = app.vigil.tokens.create('viewer', 'bench').token;

// The store the dashboard reads: N alerts over the last 7 days, newest last,
// in process trees of 1-4 alerts each (so incidents group them as in life).
const now = Date.now();
const t0 = performance.now();
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const host = HOSTS[Math.floor(i / 3) % HOSTS.length];
    const tree = Math.floor(i / 3);
    const sev = SEVERITIES[(i * 7) % 5];
    const exe = EXES[i % EXES.length];
    const ts = new Date(now - (N - i) * (7 * 86400e3 / N)).toISOString();
    const doc = {
      '@timestamp': ts, rule: { id: `rule-${i % 30}`, name: `Rule number ${i % 30}` }, host: { name: host.name },
      user: { id: String(i % 5 * 1000), name: USERS[i % 5] },
      process: { pid: 1000 + i, entity_id: `e${i}`, executable: exe, command_line: `${exe} --job ${i}`,
        ancestors: [{ pid: 500 + tree, entity_id: `tree${tree}` }, { pid: 1, entity_id: 'init' }] },
    };
    const alert = { id: `a${i}`, seq: i, rule_id: `rule-${i % 30}`, rule_name: `Rule number ${i % 30}`, severity: sev,
      technique_ids: [`T10${59 + (i % 9)}`], tactic_names: [TACTICS[i % TACTICS.length]], host_id: host.id, hostname: host.name,
      timestamp: ts, count: 1, triggering_events: [], related_events: [], process: null, description: '', first_seen: '', last_seen: '' };
    const stored = alerts.insert({ host_id: host.id, agent_seq: i + 1, source: 'agent', alert, doc }, sev.slice(9).toLowerCase(), SEVERITIES.indexOf(sev) + 1);
    incidents.assign(stored);
  }
})();
const fillMs = performance.now() - t0;
const incidentCount = db.prepare('SELECT COUNT(*) AS n FROM incidents').get().n;

const SHAPES = [
  ['no filter', ''],
  ['severity=high,critical', 'severity=high,critical'],
  ['host', `host=${HOSTS[3].id}`],
  ['tag=execution (any case)', 'tag=execution'],
  ['user=alice', 'user=alice'],
  ['since=15m', 'since=15m'],
  ['q=python3 (free text)', 'q=python3'],
  ['analyst: high+critical, host, 15m', `severity=high,critical&host=${HOSTS[3].id}&since=15m`],
  ['analyst: high+critical, host, 24h, q', `severity=high,critical&host=${HOSTS[3].id}&since=24h&q=curl`],
];

async function time(path) {
  const t = performance.now();
  const res = await app.inject({ url: path, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
  return performance.now() - t;
}

const rows = [];
for (const [list, counts, what] of [['/v1/alerts?limit=100&', '/v1/alerts/counts?', 'alerts'], ['/v1/incidents?limit=100&', '/v1/incidents/counts?', 'incidents']]) {
  for (const [name, q] of SHAPES) {
    const ms = [];
    for (let r = 0; r < REPS + 2; r++) {
      // What the page does on a filter change: the first page and the counts, together.
      const t = performance.now();
      await Promise.all([time(list + q), time(counts + q)]);
      if (r >= 2) ms.push(performance.now() - t); // two warm-ups
    }
    rows.push({ what, name, p50: pct(ms, 0.5), p95: pct(ms, 0.95) });
  }
}
await app.close();
rmSync(dir, { recursive: true, force: true });

const lines = [
  `Feed filters: ${N.toLocaleString('en-US')} alerts (${incidentCount.toLocaleString('en-US')} incidents) filled in ${(fillMs / 1000).toFixed(1)} s; page of 100 + severity counts per filter change, ${REPS} reps`,
  '', '| list | filter | p50 ms | p95 ms |', '|---|---|---:|---:|',
  ...rows.map((r) => `| ${r.what} | ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`),
];
console.log(lines.join('\n'));
if (REPORT) appendFileSync(REPORT, `${lines.join('\n')}\n\n`);
