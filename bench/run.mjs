#!/usr/bin/env node
// Vigil benchmark driver (`make bench`). For every tracer: rounds of
// [untraced baseline of each storm, start tracer + wait until attached,
// traced run of each workload, stop tracer], so baseline and traced runs
// alternate and slow drift on the VM hits both. Then the full-capture
// max-rate search and the loader-only drain. Writes bench/results/latest.{md,json}.
//
// Options: --reps N (3)  --seconds S (1.5)  --tracers id,id  --no-max-rate  --no-drain
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, installSignalCleanup, onCleanup } from './lib/cleanup.mjs';
import { measureDrain } from './lib/drain.mjs';
import { machineInfo } from './lib/machine.mjs';
import { searchMaxRate } from './lib/max-rate.mjs';
import { cpuPercent, sample } from './lib/proc.mjs';
import { writeResults } from './lib/report.mjs';
import { settle } from './lib/settle.mjs';
import { slowdown } from './lib/stats.mjs';
import { summarizeRuns } from './lib/summarize.mjs';
import { auditdTracer } from './lib/tracers/auditd.mjs';
import { bpftraceTracer } from './lib/tracers/bpftrace.mjs';
import { vigilAgentTracer } from './lib/tracers/vigil-agent.mjs';
import { vigilLoaderTracer } from './lib/tracers/vigil-loader.mjs';
import { missingBinaries, runWorkload, workloads } from './lib/workloads.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (s) => process.stderr.write(`${s}\n`);

function parseArgs(argv) {
  const cfg = { reps: 3, seconds: 1.5, tracers: null, maxRate: true, drain: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--reps') cfg.reps = Number(val());
    else if (a === '--seconds') cfg.seconds = Number(val());
    else if (a === '--tracers') cfg.tracers = val().split(',');
    else if (a === '--no-max-rate') cfg.maxRate = false;
    else if (a === '--no-drain') cfg.drain = false;
    else throw new Error(`unknown option ${a} (see the header of bench/run.mjs)`);
  }
  if (!(Number.isInteger(cfg.reps) && cfg.reps >= 1)) throw new Error('--reps must be a whole number >= 1');
  if (!(cfg.seconds > 0 && cfg.seconds <= 30)) throw new Error('--seconds must be between 0 and 30');
  return cfg;
}

async function benchTracer(tracer, list, cfg, results) {
  const runs = Object.fromEntries(list.map((w) => [w.id, []]));
  const errors = Object.fromEntries(list.map((w) => [w.id, []]));
  for (let rep = 1; rep <= cfg.reps; rep++) {
    const base = {};
    for (const w of list.filter((x) => x.paired)) {
      const r = await runWorkload(w);
      base[w.id] = r.rate;
      if (r.error) errors[w.id].push(r.error);
    }
    let h;
    try {
      h = await tracer.start();
    } catch (err) {
      tracer.status = 'failed';
      tracer.reason = `start failed: ${err.message}`;
      log(`  ${tracer.id}: ${tracer.reason}`);
      break;
    }
    if (h.note && !tracer.notes.includes(h.note)) tracer.notes.push(h.note);
    try {
      for (const w of list) {
        if (!(await settle(h.pids()))) errors[w.id].push('tracer still busy with the previous run after 8 s');
        const c0 = await h.counters();
        const s0 = sample(h.pids());
        const r = await runWorkload(w);
        const s1 = sample(h.pids());
        const c1 = await h.counters();
        if (r.error) errors[w.id].push(r.error);
        // Completeness: the events of this action the agent stored for the workload's pid.
        const seen = w.action && h.countEvents && r.pid && r.count ? await h.countEvents(w.action, r.pid, r.count) : null;
        if (!h.alive()) errors[w.id].push('tracer died during the run');
        const run = {
          rep,
          baseline: base[w.id] ?? null,
          traced: r.rate,
          ratio: w.paired ? slowdown(base[w.id], r.rate) : null,
          cpu_pct: cpuPercent(s0, s1),
          rss_mib: s1.rss,
          drops: c0 && c1 && typeof c1.drops === 'number' ? c1.drops - (c0.drops ?? 0) : null,
          kernel_events: c0 && c1 && typeof c1.events === 'number' ? c1.events - c0.events : null,
          ...(seen !== null ? { calls_made: r.count, events_seen: seen } : {}),
        };
        runs[w.id].push(run);
        log(`  ${tracer.id} rep ${rep} ${w.id}: base ${run.baseline?.toFixed(0) ?? '-'} traced ${r.rate?.toFixed(0) ?? 'n/a'} ratio ${run.ratio?.toFixed(2) ?? '-'} cpu ${run.cpu_pct?.toFixed(0)}% drops ${run.drops ?? 'n/a'}${seen !== null ? ` seen ${seen}/${r.count}` : ''}`);
      }
    } finally {
      await h.stop();
    }
  }
  for (const w of list) if (runs[w.id].length) results.push(summarizeRuns(w, tracer, runs[w.id], [...new Set(errors[w.id])]));
}

async function main() {
  const cfg = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  if (process.getuid?.() !== 0) throw new Error('run the bench as root: tracers need CAP_BPF/CAP_SYS_ADMIN and audit control');
  const binDir = join(root, 'build/bench');
  const tmpDir = join(root, 'bench/results/tmp');
  mkdirSync(tmpDir, { recursive: true });
  const list = workloads(binDir, cfg.seconds);
  const missing = missingBinaries(list);
  if (missing.length) throw new Error(`missing workload binaries ${missing.join(', ')}: run \`make helpers\``);
  installSignalCleanup();
  onCleanup('remove bench temp dir', () => rmSync(tmpDir, { recursive: true, force: true }));

  const machine = machineInfo();
  let tracers = [
    vigilAgentTracer({ root, tmpDir, profile: 'default' }),
    vigilAgentTracer({ root, tmpDir, profile: 'full' }),
    vigilLoaderTracer({ root }),
    auditdTracer({ tmpDir }),
    bpftraceTracer(),
  ];
  if (cfg.tracers) tracers = tracers.filter((t) => cfg.tracers.includes(t.id));
  for (const t of tracers) Object.assign(t, { status: 'ok', reason: '', notes: [] });

  log('bench: warm-up');
  const reference = {};
  for (const w of list) {
    const r = await runWorkload({ ...w, args: w.paired ? [w.args[0], '0.3'] : w.args });
    if (!w.paired && r.rate) reference[w.id] = r.rate;
  }

  const results = [];
  for (const t of tracers) {
    const prep = await t.prepare();
    if (!prep.ok) {
      Object.assign(t, { status: 'skipped', reason: prep.reason });
      log(`bench: ${t.id} skipped: ${prep.reason}`);
      continue;
    }
    if (prep.installed) t.notes.push('installed by the bench (apt-get)');
    log(`bench: ${t.id} (${t.config})`);
    await benchTracer(t, list, cfg, results);
  }

  let maxRate = null;
  if (cfg.maxRate) {
    const vt = tracers.find((t) => t.id === 'vigil-full' && t.status === 'ok') ?? tracers.find((t) => t.id === 'vigil-default' && t.status === 'ok');
    log(`bench: max-rate search (${vt?.id ?? 'no Vigil tracer available'})`);
    try {
      if (!vt) throw new Error('no working Vigil agent tracer');
      maxRate = await searchMaxRate(vt, { binDir, log });
    } catch (err) {
      maxRate = { tracer: vt?.id ?? 'vigil', error: err.message };
    }
  }
  let drain = null;
  if (cfg.drain) {
    log('bench: loader-only drain');
    try {
      drain = await measureDrain({ root, binDir });
    } catch (err) {
      drain = { error: err.message };
    }
  }
  const out = {
    machine,
    config: { reps: cfg.reps, seconds: cfg.seconds },
    tracers: tracers.map(({ id, label, config, status, reason, notes }) => ({ id, label, config, status, reason, notes })),
    results,
    reference_baselines: reference,
    max_rate: maxRate,
    drain,
    loadavg_end: loadavg().map((x) => Number(x.toFixed(2))),
    duration_s: (performance.now() - t0) / 1000,
  };
  process.stdout.write(writeResults(join(root, 'bench/results'), out));
}

main().catch(async (err) => {
  log(`bench: ${err.message}`);
  await cleanupAll();
  process.exit(1);
}).then(() => cleanupAll());
