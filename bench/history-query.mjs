#!/usr/bin/env node
// History query latency on a big database. Fills a v2 history with N events
// (default 10M) made from real ones: the frames recorded by bench/replay.mjs
// (--frames FILE, recorded first if missing) are normalized, run through the
// process model, and repeated with fresh entity ids and later timestamps,
// so every copy is a distinct process tree with the real mix of actions.
// Then times `vigil query`'s three common shapes through the library
// (runQuery, buildProcessTree): --tree of a process, --exe, and a time
// range. Prints p50/p95 per query shape over --reps random picks.
// Usage (root for recording): node bench/history-query.mjs [--events N] [--reps 50] [--frames FILE] [--report FILE.md]
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addRow, arg, buildProcessTree, collectorEvents, eventPayloads, EventStore, ImagesSent, openReadOnlyDb, ROOT, runQuery } from './lib/collector.mjs';

const N = Number(arg('--events', '10000000'));
const REPS = Number(arg('--reps', '50'));
const REPORT = arg('--report');
const FRAMES = arg('--frames', '/tmp/vigil-replay-frames.bin');
const dir = mkdtempSync(join(tmpdir(), 'vigil-hq-'));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function baseEvents() {
  if (!existsSync(FRAMES)) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/replay.mjs'), '--reps', '1', '--frames', FRAMES], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(FRAMES)) throw new Error('recording frames failed');
  }
  return collectorEvents(eventPayloads(FRAMES), join(dir, 'no-proc'));
}

/**
 * Rows of the base events once; copy c of a row suffixes every entity id
 * (row, image, ancestors) with ".c" and shifts ts, so copies never share a
 * process. Bodies are kept: their timestamps are relative to ts.
 */
function fill(path, base) {
  const store = new EventStore({ path, flushIntervalMs: 3_600_000, batchSize: 2000, maxQueue: 10_000_000 });
  const rows = { events: [], alerts: [] };
  const sent = new ImagesSent();
  for (const ev of base) addRow(rows, ev, 0, sent);
  const baseRows = rows.events;
  const t0 = baseRows[0].ts;
  const span = baseRows[baseRows.length - 1].ts - t0 + 1000;
  const ids = (json, c) => (json === null ? null : json.replace(/("entity_id":")([^"]+)"/g, `$1$2.${c}"`));
  let batch = { events: [], alerts: [] };
  let n = 0;
  const started = Date.now();
  for (let c = 0; n < N; c++) {
    for (const r of baseRows) {
      if (n >= N) break;
      batch.events.push(c === 0 ? r : { ...r, ts: r.ts + c * span, entity_id: `${r.entity_id}.${c}`, image: ids(r.image, c), ancestors: ids(r.ancestors, c) });
      n++;
      if (batch.events.length >= 2000) { store.writeRows(batch); batch = { events: [], alerts: [] }; }
    }
    if (c % 20 === 19) process.stderr.write(`  filled ${n} events (${Math.round(n / ((Date.now() - started) / 1000))}/s)\n`);
  }
  store.writeRows(batch);
  store.close();
  return { spanMs: span * Math.ceil(N / baseRows.length), firstMs: t0 };
}

function time(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
}

async function main() {
  const base = baseEvents();
  const path = join(dir, 'events.db');
  const { spanMs, firstMs } = fill(path, base);
  const db = openReadOnlyDb(path);
  const count = db.prepare('SELECT count(*) AS n FROM events').get().n;
  const bytes = ['', '-wal'].reduce((s, x) => s + (existsSync(path + x) ? statSync(path + x).size : 0), 0);
  const parents = db.prepare(`SELECT DISTINCT p.entity_id AS id FROM processes c JOIN processes p ON c.parent_pk = p.pk LIMIT 100000`).all().map((r) => r.id);
  const exes = db.prepare('SELECT DISTINCT executable AS e FROM processes WHERE executable IS NOT NULL LIMIT 1000').all().map((r) => r.e);
  const rand = (xs) => xs[Math.floor(Math.random() * xs.length)];
  const shapes = {
    '--tree <entity>': () => buildProcessTree(db, rand(parents), { since: '1970-01-02T00:00:00Z' }),
    '--exe <path> (newest 100)': () => runQuery(db, { exe: rand(exes), since: '1970-01-02T00:00:00Z' }),
    '--since/--until 1 min window (newest 100)': () => {
      const from = firstMs + Math.random() * (spanMs - 60_000);
      return runQuery(db, { since: new Date(from).toISOString(), until: new Date(from + 60_000).toISOString() });
    },
  };
  const lines = [
    `Database: ${count.toLocaleString('en-US')} events (${(bytes / count).toFixed(0)} B/event, ${(bytes / 2 ** 30).toFixed(2)} GiB), copies of ${base.length} recorded events with fresh entity ids.`,
    '',
    '| Query | p50 ms | p95 ms | rows (median) |',
    '|---|---:|---:|---:|',
  ];
  for (const [name, fn] of Object.entries(shapes)) {
    fn(); // warm the statement cache
    const runs = Array.from({ length: REPS }, () => time(fn));
    const rows = runs.map((x) => ('rows' in x.r ? x.r.rows.length : x.r.root.events.length + x.r.root.children.length));
    lines.push(`| ${name} | ${pct(runs.map((x) => x.ms), 0.5).toFixed(1)} | ${pct(runs.map((x) => x.ms), 0.95).toFixed(1)} | ${pct(rows, 0.5)} |`);
  }
  db.close();
  process.stdout.write(`${lines.join('\n')}\n`);
  if (REPORT) appendFileSync(REPORT, `\n## History queries (bench/history-query.mjs)\n\n${lines.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(`history-query bench failed: ${err.stack}\n`); process.exitCode = 1; })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
