// Child-process helpers: run a command to completion with a time limit, and
// wait for a condition. Workloads print "<rate> <unit>/s (...)"; parseRate
// reads that first number.
import { spawn } from 'node:child_process';
import { onCleanup } from './cleanup.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run to exit; resolves { code, signal, stdout, stderr, ms }. Never rejects. */
export function run(cmd, args, { timeoutMs = 60_000, env } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    } catch (err) {
      resolve({ code: null, signal: null, stdout, stderr: String(err), ms: 0 });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // On Ctrl-C the workload must not outlive the driver.
    const forget = onCleanup(`kill ${cmd}`, () => { child.kill('SIGKILL'); });
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => { stderr += String(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      void forget.detach();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, pid: child.pid });
    });
  });
}

/** First "<number> <unit>/s" in a workload's output, or null. */
/** The count a workload reports it made: "<rate> <unit>/s (<count> in <t> s)". */
export function parseCount(text) {
  const m = /\((\d+) in [\d.]+ s\)/.exec(text);
  return m ? Number(m[1]) : null;
}

export function parseRate(text) {
  const m = /([\d.]+) [a-z]+\/s/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Poll `check` every `everyMs` until it returns a truthy value or time runs out. */
export async function waitFor(check, { timeoutMs = 15_000, everyMs = 100 } = {}) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) return null;
    await sleep(everyMs);
  }
}

/** Resolve when `child` exits, or after `ms` (then resolve false). */
export function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

/** Ask a child to stop with `signal`, escalate to SIGKILL after `graceMs`. */
export async function stopChild(child, signal = 'SIGINT', graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await exited(child, graceMs))) {
    child.kill('SIGKILL');
    await exited(child, 2000);
  }
}
