// Full-capture max-rate search: with one agent running, step event_gen up a
// ladder of open rates and find the highest one the agent takes with zero
// kernel drops and its backlog drained within a few seconds of the run.
import { join } from 'node:path';
import { parseRate, run } from './exec.mjs';
import { cpuPercent, sample } from './proc.mjs';
import { settle } from './settle.mjs';

export const RATE_LADDER = [25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 200_000, 300_000];

export async function searchMaxRate(tracer, { binDir, seconds = 3, ladder = RATE_LADDER, log }) {
  const h = await tracer.start();
  const steps = [];
  try {
    for (const rate of ladder) {
      await settle(h.pids());
      const c0 = await h.counters();
      const s0 = sample(h.pids());
      const r = await run(join(binDir, 'event_gen'), [String(rate), String(seconds)], { timeoutMs: 60_000 });
      const s1 = sample(h.pids());
      const caughtUp = await settle(h.pids(), { maxMs: 5000 });
      const c1 = await h.counters();
      const achieved = parseRate(r.stdout);
      const step = {
        target: rate,
        achieved,
        drops: c0 && c1 ? c1.drops - c0.drops : null,
        kernel_events: c0 && c1 && c0.events !== null ? c1.events - c0.events : null,
        cpu_pct: cpuPercent(s0, s1),
        caught_up_within_5s: caughtUp,
      };
      step.kept_up = step.drops === 0 && caughtUp && achieved !== null && achieved >= rate * 0.95;
      steps.push(step);
      log(`  max-rate ${rate}/s: achieved ${achieved?.toFixed(0)}/s, drops ${step.drops}, tracer CPU ${step.cpu_pct?.toFixed(0)}%, caught up ${caughtUp}`);
      if (!step.kept_up) break;
    }
  } finally {
    await h.stop();
  }
  const ok = steps.filter((s) => s.kept_up);
  return { tracer: tracer.id, seconds, steps, max_sustained_rate: ok.length ? ok[ok.length - 1].target : null };
}
