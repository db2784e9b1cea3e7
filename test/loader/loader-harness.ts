// Spawns build/vigil-loader for tests and splits its stdout into frames with
// the collector's own FrameReader. Every spawned loader is tracked so
// killAll() in afterEach never leaves one running.
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Frame, FrameKind, FrameReader } from '../../agent/src/decode/frame-reader';
import type { LoaderStats, ProbeStatus } from '../../agent/src/agent/loader-stats';

export const LOADER = path.resolve(__dirname, '../../build/vigil-loader');

export type { ProbeStatus };

/** A READY/STATS payload as the loader writes it (the collector's type). */
export type StatsJson = LoaderStats & { realtime_offset_ns: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ChildProcess>();

export function requireLoader(): void {
  if (!existsSync(LOADER)) throw new Error(`${LOADER} is missing: run "make loader" first`);
}

export class LoaderRun {
  readonly child: ChildProcess;
  readonly frames: Frame[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private reader = new FrameReader();
  private waiters: Array<() => void> = [];

  /** prefix: a wrapper command (setpriv ...); binary: another loader build. */
  constructor(args: string[], opts: { prefix?: string[]; binary?: string } = {}) {
    const [cmd, ...argv] = [...(opts.prefix ?? []), opts.binary ?? LOADER, ...args];
    this.child = spawn(cmd, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      // Copy: the reader keeps subarrays of what it was given.
      for (const f of this.reader.push(Buffer.from(chunk))) this.frames.push(f);
      this.notify();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.stdin!.on('error', () => {}); // EPIPE once the loader is gone
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this.child);
        this.notify();
        resolve({ code, signal });
      });
    });
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolve with the first frame (from index `from`) matching pred. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs: number, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`no matching frame within ${timeoutMs} ms; stderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async ready(timeoutMs = 20000): Promise<StatsJson> {
    return json(await this.waitFor((f) => f.kind === FrameKind.Ready, timeoutMs));
  }

  stats(): StatsJson[] {
    return this.frames.filter((f) => f.kind === FrameKind.Stats).map(json);
  }
}

export function json(f: Frame): StatsJson {
  return JSON.parse(f.payload.toString('utf8')) as StatsJson;
}

/** Records in an EVENTS payload: each is hdr.size bytes, hdr.type first. */
export function records(payload: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 4 <= payload.length) {
    const size = payload.readUInt16LE(off + 2);
    if (size < 4 || off + size > payload.length) throw new Error(`bad record size ${size} at ${off}`);
    out.push(payload.subarray(off, off + size));
    off += size;
  }
  return out;
}

export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** Run to completion with closed stdin, for the flag/exit-code tests. */
export async function runToExit(args: string[], prefix: string[] = []): Promise<Exit & { stderr: string; stdout: string }> {
  const run = new LoaderRun(args, { prefix });
  let stdout = '';
  run.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('latin1')));
  run.child.stdin!.end();
  const exit = await run.exited;
  return { ...exit, stderr: run.stderr, stdout };
}
