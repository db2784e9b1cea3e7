#!/usr/bin/env node
// Collector hot path, without the kernel: records real loader frames once
// (vigil-loader --capture all while an exec storm, an open storm, a connect
// storm and a small C build run), then replays them through the collector
// on this one thread, stage by stage, cumulatively:
//   decode -> +normalize -> +process model -> +rules -> +store rows (the
//   collector thread's share: splitting and serializing) ; and alone:
//   the store writer (SQLite, its own thread in the agent) and JSONL output.
// Events/s per stage, median of --reps runs. The regression guard for the
// collector's hot path: the target is 400,000 events/s end to end.
// Usage (root): node bench/replay.mjs [--reps 3] [--report FILE.md] [--frames FILE]
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { recordFrames } from './lib/record-frames.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addRow, arg, BaselineEngine, collectorEvents, DEFAULT_BASELINE, decodeEvents, eventPayloads, EventNormalizer, EventStore, ImagesSent, ProcessModel, ROOT, RuleEngine } from './lib/collector.mjs';

const REPS = Number(arg('--reps', '3'));
const REPORT = arg('--report');
const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function work(bin, args) {
  const r = spawnSync(join(ROOT, 'build/bench', bin), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Loader frames of a mixed workload into a file. */
async function record(path) {
  const recording = await recordFrames(ROOT, path, ['--capture', 'all']);
  const done = [work('exec_storm', ['3000']), work('open_storm', ['150000']), work('connect_storm', ['10000'])];
  const srcs = readdirSync(join(ROOT, 'test/helpers')).filter((f) => f.endsWith('.c'));
  for (const f of srcs) spawnSync('cc', ['-O2', '-c', join(ROOT, 'test/helpers', f), '-o', join(dir, `${f}.o`)]);
  done.push(`cc -O2 -c of ${srcs.length} files`);
  await sleep(500);
  await recording.stop();
  return done;
}

const noop = () => undefined;
const silent = { info: noop, warn: noop, error: noop, debug: noop, child() { return this; } };

/** One pass over every payload with the stages up to `upto`; returns events/s and events. */
function pass(payloads, upto) {
  const normalizer = new EventNormalizer({ hostName: 'replay' });
  const model = new ProcessModel({ procRoot: join(dir, 'no-proc'), cgroupRoot: false, seedOnMiss: false });
  // Past learning, so every event is scored as well as learned (the costlier path).
  const baseline = upto >= 4 ? new BaselineEngine({ config: { ...DEFAULT_BASELINE, learningMs: 0 } }) : undefined;
  const engine = upto >= 5 ? new RuleEngine({ dirs: [join(ROOT, 'rules')], logger: silent, watch: false }) : undefined;
  const sent = new ImagesSent();
  let batch = { events: [], alerts: [] };
  let n = 0;
  const onReady = (ev) => {
    n++;
    if (baseline) baseline.process(ev);
    if (engine) engine.evaluate(ev);
    if (upto >= 6) {
      addRow(batch, ev, Date.now(), sent);
      if (batch.events.length >= 2000) batch = { events: [], alerts: [] };
    }
  };
  const onRecord = (rec) => {
    if (upto === 1) { n++; return; }
    const ev = normalizer.normalize(rec);
    if (!ev) return;
    if (upto === 2) { n++; return; }
    for (const r of model.ingest(ev)) onReady(r);
  };
  const t0 = process.hrtime.bigint();
  for (const p of payloads) decodeEvents(p, onRecord, noop);
  if (upto >= 3) for (const r of model.flushDue(Number.MAX_SAFE_INTEGER)) onReady(r);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  engine?.close();
  return { rate: n / s, events: n };
}

function storeWriter(events) {
  const s = new EventStore({ path: join(dir, `w${Math.random()}.db`), flushIntervalMs: 3_600_000, batchSize: 2000, maxQueue: events.length + 1 });
  const sent = new ImagesSent();
  const batches = [];
  let b = { events: [], alerts: [] };
  for (const ev of events) { addRow(b, ev, Date.now(), sent); if (b.events.length >= 2000) { batches.push(b); b = { events: [], alerts: [] }; } }
  batches.push(b);
  const t0 = process.hrtime.bigint();
  for (const x of batches) s.writeRows(x);
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  s.close();
  return events.length / sec;
}

function jsonl(events) {
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (const ev of events) bytes += JSON.stringify(ev).length;
  return { rate: events.length / (Number(process.hrtime.bigint() - t0) / 1e9), avgBytes: bytes / events.length };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root: recording loads the eBPF probes');
  // --frames FILE: replay FILE, recording it first if it does not exist (to compare code changes on one recording).
  const frames = arg('--frames') ?? join(dir, 'frames.bin');
  const workload = existsSync(frames) ? [`(recorded earlier: ${frames})`] : await record(frames);
  const payloads = eventPayloads(frames);
  const stages = ['decode', '+ normalize', '+ process model', '+ behavioural baseline (scoring)', '+ rules (default set)', '+ store rows (collector side)'];
  const rows = [];
  let events = 0;
  for (let i = 0; i < stages.length; i++) {
    const rates = [];
    for (let r = 0; r < REPS; r++) {
      const res = pass(payloads, i + 1);
      rates.push(res.rate);
      events = res.events;
    }
    rows.push([stages[i], median(rates), events]);
  }
  const rendered = collectorEvents(payloads, join(dir, 'no-proc'));
  const writer = median(Array.from({ length: REPS }, () => storeWriter(rendered)));
  const out = jsonl(rendered);
  const lines = [
    `Frames: ${(statSync(frames).size / 2 ** 20).toFixed(1)} MiB, ${payloads.length} EVENTS frames; workload: ${workload.join('; ')}.`,
    `One thread, median of ${REPS} passes; cumulative stages (each row includes the ones above it).`,
    '',
    '| Stage | Events | Events/s |',
    '|---|---:|---:|',
    ...rows.map(([s, rate, n]) => `| ${s} | ${n} | ${Math.round(rate).toLocaleString('en-US')} |`),
    `| store writer alone (SQLite, the agent runs it on its own thread) | ${rendered.length} | ${Math.round(writer).toLocaleString('en-US')} |`,
    `| JSONL serialization alone (--jsonl) | ${rendered.length} | ${Math.round(out.rate).toLocaleString('en-US')} (${Math.round(out.avgBytes)} B/event) |`,
    '',
    `Behavioural baseline cost: ${((1e6 / rows[3][1]) - (1e6 / rows[2][1])).toFixed(2)} us/event (target <= 2).`,
    `Target: 400,000 events/s through decode -> store rows. Measured: ${Math.round(rows[rows.length - 1][1]).toLocaleString('en-US')} (${(rows[rows.length - 1][1] / 400_000).toFixed(3)}x of target).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (REPORT) appendFileSync(REPORT, `\n## Collector replay (bench/replay.mjs)\n\n${lines.join('\n')}\n`);
}

main().catch((err) => { process.stderr.write(`replay bench failed: ${err.stack}\n`); process.exitCode = 1; })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
