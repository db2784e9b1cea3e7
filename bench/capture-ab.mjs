#!/usr/bin/env node
// What a capture change costs the kernel side: two vigil-loader builds,
// attached in turn (frames to /dev/null), the same storms under each,
// alternating A, B, A, B so drift on the VM hits both. Reports each storm's
// rate under B over its rate under A, median of the rounds (1.00 = free; the
// added-capture budget is 0.98, i.e. at most 0.02x).
// Usage (root): node bench/capture-ab.mjs --a /path/to/checkout-before [--b .] [--rounds 5] [--seconds 1.5] [--report FILE.md]
// Both checkouts need `make build` (build/vigil-loader, build/bench/*).
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { vigilLoaderTracer } from './lib/tracers/vigil-loader.mjs';
import { runWorkload, workloads } from './lib/workloads.mjs';
import { installSignalCleanup } from './lib/cleanup.mjs';
import { median } from './lib/stats.mjs';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const A = arg('--a');
if (!A) throw new Error('--a <checkout before the change> is required');
const B = resolve(arg('--b', '.'));
const ROUNDS = Number(arg('--rounds', '5'));
const SECONDS = Number(arg('--seconds', '1.5'));
const REPORT = arg('--report');
installSignalCleanup();

const storms = workloads(resolve(B, 'build/bench'), SECONDS).filter((w) => w.paired);
const rates = { a: {}, b: {} };
for (let round = 0; round < ROUNDS; round++) {
  for (const [side, root] of [['a', resolve(A)], ['b', B]]) {
    const tracer = vigilLoaderTracer({ root });
    const prep = await tracer.prepare();
    if (!prep.ok) throw new Error(`${root}: ${prep.reason}`);
    const t = await tracer.start();
    for (const w of storms) {
      const r = await runWorkload(w);
      if (r.rate === null) throw new Error(r.error);
      (rates[side][w.id] ??= []).push(r.rate);
    }
    await t.stop();
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}
const lines = ['| Storm | A (median) | B (median) | B / A (median of rounds) |', '|---|---:|---:|---:|'];
for (const w of storms) {
  const ratios = rates.b[w.id].map((b, i) => b / rates.a[w.id][i]);
  lines.push(`| ${w.id} (${w.unit}) | ${Math.round(median(rates.a[w.id]))} | ${Math.round(median(rates.b[w.id]))} | ${median(ratios).toFixed(3)} |`);
}
const text = `\nCapture A/B (\`node bench/capture-ab.mjs --a ${A}\`), loader alone, ${ROUNDS} rounds of ${SECONDS} s storms:\n\n${lines.join('\n')}\n`;
process.stdout.write(text);
if (REPORT) appendFileSync(REPORT, text);
