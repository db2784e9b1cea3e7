// docs/metrics.md lists exactly the metrics the agent and the control plane
// register (process defaults aside), so the table cannot drift.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../agent/src/agent/agent-metrics';
import { createMetrics } from '../../control-plane/src/metrics';

const doc = readFileSync(resolve(__dirname, '../../docs/metrics.md'), 'utf8');
/** Names in the first column of the doc's tables: `name{labels}` -> name. */
const documented = new Set([...doc.matchAll(/^\| `([a-z_]+)(?:\{[^}]*\})?` \|/gm)].map((m) => m[1]));

async function registered(): Promise<string[]> {
  const agent = (await new AgentMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
  const cp = (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
  return [...agent, ...cp];
}

describe('docs/metrics.md', () => {
  it('lists every registered metric, and nothing that is not registered', async () => {
    const names = await registered();
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !names.includes(n))).toEqual([]);
  });

  it('follows Prometheus naming: counters end in _total, gauges do not', async () => {
    const agent = await new AgentMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
    const cp = await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
    for (const m of [...agent, ...cp]) {
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      if (m.type === 'gauge') expect(m.name, m.name).not.toMatch(/_total$|_per_second$/);
    }
  });
});
