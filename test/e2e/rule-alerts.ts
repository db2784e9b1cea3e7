// Test-side helpers for the default Sigma rules (rules/<tactic>/*.yml) as the
// shared agent fires them: look a rule's id up from its YAML, wait for its
// alert on a given process, and check that the alert's ancestry reaches this
// test process and that no rule outside an explicit list fired on it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { findEvents, waitForEvent, type Capture, type EcsEvent } from './harness';

const RULES = resolve(__dirname, '../../rules');
const CHECKOUT = resolve(__dirname, '../..');
// A checkout under a world-writable temp dir (a clean clone in /tmp) runs its
// test helpers from there, and exec_from_tmp then rightly fires on each of
// them: its prefixes, rules/execution/exec_from_tmp.yml.
const CHECKOUT_IN_TMP = ['/tmp/', '/var/tmp/', '/dev/shm/'].some((d) => CHECKOUT.startsWith(d));
const TIMEOUT = 20_000; // generous: other e2e runs on the host can make the agent lag
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `id:` of rules/<name>.yml, e.g. ruleId('execution/exec_from_tmp'). */
export function ruleId(name: string): string {
  const doc = parse(readFileSync(resolve(RULES, `${name}.yml`), 'utf8')) as { id?: string };
  if (!doc?.id) throw new Error(`rules/${name}.yml has no id`);
  return doc.id;
}

export const isAlert = (e: EcsEvent): boolean => e.event?.kind === 'alert';
const ruleOf = (e: EcsEvent): { id: string; name: string } => (e as unknown as { rule: { id: string; name: string } }).rule;

export interface AlertMatch {
  pid?: number;
  exe?: string;
  where?: (e: EcsEvent) => boolean;
}

export interface ExpectOptions {
  /** Other rules that legitimately fire on the same process (e.g. a copy in /tmp is also a dropped binary). */
  also?: string[];
  /** Ancestor pid the alert must carry (default: this test process). */
  ancestor?: number;
  /** Read this shared agent instead of the test file's. */
  capture?: Capture;
}

const matches = (id: string, m: AlertMatch) => (e: EcsEvent): boolean =>
  isAlert(e) && ruleOf(e)?.id === id &&
  (m.pid === undefined || e.process?.pid === m.pid) &&
  (m.exe === undefined || e.process?.executable === m.exe) &&
  (m.where === undefined || m.where(e));

/** Waits for `rule` to alert on the process, then checks ancestry and exclusivity. */
export async function expectRuleAlert(rule: string, m: AlertMatch, opts: ExpectOptions = {}): Promise<EcsEvent> {
  const id = ruleId(rule);
  const from = { capture: opts.capture };
  const alert = await waitForEvent(matches(id, m), TIMEOUT, from);
  expect(alert.event.severity).toBeGreaterThan(0);
  const ancestors = (alert.process.ancestors ?? []).map((a) => a.pid);
  expect(ancestors).toContain(opts.ancestor ?? process.pid);
  // Give sibling rules on the same event a moment to land, then require that
  // only the expected ones fired on this process.
  await sleep(300);
  const allowed = new Set([id, ...(opts.also ?? []).map(ruleId)]);
  if (CHECKOUT_IN_TMP && alert.process.executable?.startsWith(`${CHECKOUT}/`)) allowed.add(ruleId('execution/exec_from_tmp'));
  const pid = alert.process.pid;
  const fired = findEvents((e) => isAlert(e) && e.process?.pid === pid && e.process?.entity_id === alert.process.entity_id, from).map((e) => ruleOf(e).name);
  const unexpected = findEvents((e) => isAlert(e) && e.process?.entity_id === alert.process.entity_id && !allowed.has(ruleOf(e).id), from);
  expect(unexpected.map((e) => ruleOf(e).name), `rules fired on pid ${pid}: ${fired.join(' | ')}`).toEqual([]);
  return alert;
}

/** Fails if `rule` alerts on a process matching `m` within `ms`. */
export async function expectNoRuleAlert(rule: string, m: AlertMatch, ms = 1500): Promise<void> {
  await sleep(ms);
  expect(findEvents(matches(ruleId(rule), m))).toEqual([]);
}
