#!/usr/bin/env node
// History bytes per event on a mixed workload, v2 (compact) against the v1
// layout in the same run. One `vigil agent` (default profile, default rules,
// --db in a temp dir) watches an exec storm, an open storm and a connect
// storm; then every stored event is rendered back to its ECS document and
// written to a v1-layout database (one JSON document per event, its
// indexes) as the baseline. Sizes are of the files after a checkpoint.
// Usage (root): node bench/storage.mjs [--report FILE.md]
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const { V1_DDL } = require(join(ROOT, 'dist/agent/src/store/schema.js'));
const { runQuery } = require(join(ROOT, 'dist/agent/src/query/run-query.js'));
const CLI = join(ROOT, 'dist/cli/vigil.js');
const BIN = join(ROOT, 'build/bench');
const REPORT = process.argv.includes('--report') ? process.argv[process.argv.indexOf('--report') + 1] : undefined;
const dir = mkdtempSync(join(tmpdir(), 'vigil-storage-'));
const db = join(dir, 'events.db');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const bytes = (p) => ['', '-wal', '-shm'].reduce((n, s) => n + (existsSync(p + s) ? statSync(p + s).size : 0), 0);

/** An exec of a fresh binary, until the agent has stored it (the history is behind the live stream). */
async function marker(name) {
  const bin = join(dir, name);
  copyFileSync('/bin/true', bin);
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(500)) {
    spawnSync(bin);
    const q = spawnSync(process.execPath, [CLI, 'query', '--db', db, '--exe', bin, '--json'], { encoding: 'utf8' });
    if (q.stdout.includes(bin)) return;
  }
  throw new Error(`marker ${bin} never reached ${db}`);
}

function run(bin, args) {
  const r = spawnSync(join(BIN, bin), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Every stored event rendered back (newest first pages) into a v1-layout database. */
function writeV1(from, to) {
  const src = new Database(from, { readonly: true });
  const dst = new Database(to);
  dst.exec(V1_DDL);
  const ins = dst.prepare(`INSERT INTO events (ts, action, category, pid, ppid, entity_id, parent_entity_id, executable, file_path, target_path, remote_ip, remote_port, outcome, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let until;
  let n = 0;
  for (;;) {
    const rows = runQuery(src, { kind: 'event', limit: 10_000, since: '1970-01-02T00:00:00Z', ...(until ? { until } : {}) }).rows;
    const fresh = until ? rows.filter((r) => r.ts < Date.parse(until)) : rows;
    if (!fresh.length) break;
    dst.transaction(() => {
      for (const { doc: e } of fresh) {
        const remote = e.network?.direction === 'ingress' ? e.source : e.destination;
        ins.run(Date.parse(e['@timestamp']), e.event.action, e.event.category?.join(','), e.process.pid, e.process.parent?.pid, e.process.entity_id,
          e.process.parent?.entity_id ?? null, e.process.executable ?? null, e.file?.path ?? null, e.file?.target_path ?? null,
          remote?.ip ?? null, remote?.port ?? null, e.event.outcome ?? null, JSON.stringify(e));
      }
    })();
    n += fresh.length;
    until = new Date(fresh[fresh.length - 1].ts).toISOString();
  }
  dst.pragma('wal_checkpoint(TRUNCATE)');
  dst.close();
  src.close();
  return n;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root: the agent loads eBPF programs');
  const agent = spawn(process.execPath, [CLI, 'agent', '--db', db, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await marker('ready');
    const work = [run('exec_storm', ['5000']), run('open_storm', ['200000']), run('connect_storm', ['20000'])];
    await marker('done');
    agent.kill('SIGINT');
    await new Promise((ok) => agent.on('exit', ok));
    const ro = new Database(db, { readonly: true });
    const count = (t) => ro.prepare(`SELECT count(*) AS n FROM ${t}`).get().n;
    const events = count('events');
    const images = count('processes');
    const alerts = count('alerts');
    ro.close();
    const v2 = bytes(db);
    const v1Events = writeV1(db, join(dir, 'v1.db'));
    const v1 = bytes(join(dir, 'v1.db'));
    const lines = [
      `Workload: ${work.join('; ')}. Default profile, default rules.`,
      '',
      '| Layout | Events | Process images | File bytes | Bytes per event |',
      '|---|---:|---:|---:|---:|',
      `| v1 (JSON document per event, baseline) | ${v1Events} | — | ${v1} | ${(v1 / v1Events).toFixed(0)} |`,
      `| v2 (compact: narrow rows + process images) | ${events} | ${images} | ${v2} | ${(v2 / events).toFixed(0)} |`,
      '',
      `v2 / v1 bytes per event: ${((v2 / events) / (v1 / v1Events)).toFixed(3)} (alerts stored: ${alerts}, counted in the v2 file).`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (REPORT) appendFileSync(REPORT, `\n## History storage (bench/storage.mjs)\n\n${lines.join('\n')}\n`);
  } finally {
    agent.kill('SIGKILL');
    if (process.env.VIGIL_BENCH_KEEP) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`storage bench failed: ${err.message}\n`);
  process.exit(1);
});
