// A `vigil agent` of the test's own (not the shared ones from global-setup),
// for tests that configure it (--block-exec, rules with responses, a small
// disk) or kill parts of it. It writes JSONL under the test's directory;
// lines() re-reads the file, until() polls any condition.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uniqueCopy } from './harness';

export const CLI = resolve(__dirname, '../../bin/vigil');

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `fn` until it returns something other than undefined. */
export async function until<T>(what: string, fn: () => T | undefined, ms = 30_000, everyMs = 50): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(everyMs)) {
    const v = fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** JSONL lines; the last may be half written while the agent appends, and is then left for the next read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseLines(text: string): Record<string, any>[] {
  const raw = text.split('\n');
  const complete = text.endsWith('\n') ? raw : raw.slice(0, -1);
  return complete.filter(Boolean).map((l) => JSON.parse(l));
}

export interface PrivateAgent {
  child: ChildProcess;
  jsonl: string;
  /** Everything the agent wrote to stderr so far. */
  log(): string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lines(): Record<string, any>[];
  /** Execs a fresh copy of /bin/true until its exec is in the JSONL: capture is live. */
  marker(name: string): Promise<string>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `vigil agent --jsonl <dir>/events.jsonl ...args`. */
export function startAgent(dir: string, args: string[]): PrivateAgent {
  const jsonl = join(dir, 'events.jsonl');
  const child = spawn(CLI, ['agent', '--jsonl', jsonl, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  const lines = () => (existsSync(jsonl) ? parseLines(readFileSync(jsonl, 'utf8')) : []);
  return {
    child, jsonl, lines, log: () => log,
    async marker(name) {
      const bin = uniqueCopy('/bin/true', dir, name);
      await until(`marker ${bin}`, () => {
        spawnSync(bin);
        return lines().some((l) => l.process?.executable === bin && l.event?.action === 'exec') ? true : undefined;
      }, 60_000, 200);
      return bin;
    },
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) return ok(child.exitCode);
      child.once('exit', (code) => ok(code));
      child.kill('SIGTERM');
    }),
  };
}
