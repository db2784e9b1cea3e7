// The collector's own modules (built into dist/) for the benches that drive
// it without the agent: replay.mjs and history-query.mjs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
const D = (p) => require(join(ROOT, 'dist/agent/src', p));

export const { FrameReader, FrameKind } = D('decode/frame-reader.js');
export const { decodeEvents } = D('decode/record-decoder.js');
export const { EventNormalizer } = D('normalize/index.js');
export const { ProcessModel } = D('process/index.js');
export const { RuleEngine } = D('rules/index.js');
export const { BaselineEngine, DEFAULT_BASELINE } = D('baseline/index.js');
export const { addRow, ImagesSent } = D('store/event-row.js');
export const { EventStore } = D('store/event-store.js');
export const { openReadOnlyDb } = D('store/open-db.js');
export const { runQuery } = D('query/run-query.js');
export const { buildProcessTree } = D('query/tree.js');

/** `--name value` from the command line. */
export const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);

/** The EVENTS payloads of a file of loader frames. */
export function eventPayloads(path) {
  return new FrameReader().push(readFileSync(path)).filter((f) => f.kind === FrameKind.Events).map((f) => f.payload);
}

/** Payloads -> the events the process model releases, as the agent's pipeline sees them (no /proc seeding). */
export function collectorEvents(payloads, noProcDir) {
  const normalizer = new EventNormalizer({ hostName: 'bench' });
  const model = new ProcessModel({ procRoot: noProcDir, cgroupRoot: false, seedOnMiss: false });
  const out = [];
  for (const p of payloads) decodeEvents(p, (rec) => { const ev = normalizer.normalize(rec); if (ev) out.push(...model.ingest(ev)); }, () => {});
  out.push(...model.flushDue(Number.MAX_SAFE_INTEGER));
  return out;
}
