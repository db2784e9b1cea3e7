// Runs build/helpers/callstorm (test/helpers/callstorm.c): exactly N calls
// of one syscall from several processes and threads, a quarter of them the
// failing variant. Returns what the helper says it did.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const CALLSTORM = resolve(__dirname, '../../build/helpers/callstorm');

export interface StormResult {
  action: string;
  calls: number;
  /** syscall return -> how many calls returned it; every fd counts as "1". */
  rets: Record<string, number>;
  /** The processes that made the calls. */
  pids: number[];
  /** fork/exec: the process each call created. */
  children: number[];
  /** TCP listener port (succeeding connects) and a bound port nobody listens on. */
  port: number;
  bad_port: number;
}

export async function callstorm(action: string, calls: number, dir: string, procs = 2, threads = 2): Promise<StormResult> {
  if (!existsSync(CALLSTORM)) throw new Error(`${CALLSTORM} is missing: run \`make helpers\` first`);
  copyFileSync('/bin/true', join(dir, 'callstorm-true'));
  const { stdout } = await promisify(execFile)(CALLSTORM, [action, String(calls), String(procs), String(threads), dir], { timeout: 60_000 });
  return JSON.parse(stdout) as StormResult;
}

/** A syscall return as the helper buckets it. */
export const retKey = (ret: number): string => (ret > 0 ? '1' : String(ret));

/** Count of values per key. */
export function histogram<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}
