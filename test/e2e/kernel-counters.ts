// The shared agents' kernel counters, read from their Prometheus endpoints
// (global-setup starts both with --metrics). Counters come from the loader's
// STATS frames; nextStats() waits for two fresh frames, so every record
// submitted before the call is in the figures it returns.
import { inject } from 'vitest';
import type { Capture } from './harness';

export interface KernelCounters {
  frames: number;
  events: number;
  drops: number;
  filtered: number;
  deduped: number;
  /** Sum over every vigil_kernel_abandoned_total{reason}. */
  abandoned: number;
  byReason: Record<string, number>;
}

const url = (c: Capture): string => (c === 'all' ? inject('vigilMetricsUrlAll') : inject('vigilMetricsUrl'));

function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} missing from the agent's /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** GET /metrics; a pooled keep-alive socket the server already closed fails once, so retry. */
async function scrape(capture: Capture): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(url(capture))).text();
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }
}

export async function kernelCounters(capture: Capture): Promise<KernelCounters> {
  const text = await scrape(capture);
  const byReason: Record<string, number> = {};
  for (const m of text.matchAll(/^vigil_kernel_abandoned_total\{reason="([a-z_]+)"\} (\d+)$/gm)) byReason[m[1]] = Number(m[2]);
  if (!Object.keys(byReason).length) throw new Error('vigil_kernel_abandoned_total missing from the agent\'s /metrics');
  return {
    frames: value(text, 'vigil_loader_stats_frames_total'),
    events: value(text, 'vigil_kernel_events_total'),
    drops: value(text, 'vigil_kernel_drops_total'),
    filtered: value(text, 'vigil_kernel_filtered_total'),
    deduped: value(text, 'vigil_kernel_deduped_total'),
    abandoned: Object.values(byReason).reduce((a, b) => a + b, 0),
    byReason,
  };
}

/** Counters from a STATS frame read after this call began (waits for two new frames). */
export async function nextStats(capture: Capture, timeoutMs = 10_000): Promise<KernelCounters> {
  const start = await kernelCounters(capture);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await kernelCounters(capture);
    if (now.frames >= start.frames + 2) return now;
    if (Date.now() > deadline) throw new Error(`no STATS frame from the ${capture} agent within ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
