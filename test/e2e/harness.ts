// Test-side view of the shared agent's JSONL (test/e2e/global-setup.ts).
// The file is read incrementally and each line parsed once. Scanning starts
// where the file ended when this module loaded, rounded back to a line
// start: every event a test file causes is written after that point, so none
// is missed, and no test re-parses the whole run's history. Pass
// { fromStart: true } to look at events from before the file loaded.
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, fstatSync, mkdtempSync, openSync, readSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';

export type { EcsEvent };

/** Which shared agent a test file reads: `--capture default` or `--capture all`. */
export type Capture = 'default' | 'all';

export function jsonlPath(capture: Capture = current): string {
  const p = capture === 'all'
    ? inject('vigilJsonlAll') ?? process.env.VIGIL_E2E_JSONL_ALL
    : inject('vigilJsonl') ?? process.env.VIGIL_E2E_JSONL;
  if (!p) throw new Error('e2e: no agent JSONL path — run e2e tests through vitest (the e2e project starts the agents)');
  return p;
}

/** Offset of the first line starting at or before `size` (a write may be mid-line). */
function lineStartBefore(fd: number, size: number): number {
  const back = Math.min(size, 1 << 16);
  const buf = Buffer.alloc(back);
  readSync(fd, buf, 0, back, size - back);
  const nl = buf.lastIndexOf(10);
  return nl < 0 ? size - back : size - back + nl + 1;
}

class JsonlTail {
  readonly events: EcsEvent[] = [];
  private readonly fd: number;
  private offset: number;
  private partial = '';
  private readonly chunk = Buffer.alloc(1 << 20);

  constructor(path: string, fromStart: boolean) {
    this.fd = openSync(path, 'r');
    this.offset = fromStart ? 0 : lineStartBefore(this.fd, fstatSync(this.fd).size);
  }

  /** Read and parse whatever the agent has appended since the last poll. */
  poll(): void {
    for (;;) {
      const n = readSync(this.fd, this.chunk, 0, this.chunk.length, this.offset);
      if (n <= 0) return;
      this.offset += n;
      const text = this.partial + this.chunk.toString('utf8', 0, n);
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.events.push(JSON.parse(line) as EcsEvent);
      if (n < this.chunk.length) return;
    }
  }
}

let current: Capture = 'default';
// The origins are fixed now, at import, before the test file does anything.
const fromImport: Record<Capture, JsonlTail> = { default: new JsonlTail(jsonlPath('default'), false), all: new JsonlTail(jsonlPath('all'), false) };
const fromStart: Partial<Record<Capture, JsonlTail>> = {};
const getTail = (opts: WaitOptions): JsonlTail => {
  const c = opts.capture ?? current;
  return opts.fromStart ? (fromStart[c] ??= new JsonlTail(jsonlPath(c), true)) : fromImport[c];
};

/** Read the full-capture agent in this test file (call at top level). */
export function useCapture(capture: Capture): void {
  current = capture;
}

export interface WaitOptions {
  /** Scan from the first line of the file instead of from module load. */
  fromStart?: boolean;
  /** Read this agent instead of the file's (useCapture). */
  capture?: Capture;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function findFrom(t: JsonlTail, start: number, pred: (e: EcsEvent) => boolean): { found?: EcsEvent; next: number } {
  for (let i = start; i < t.events.length; i++) if (pred(t.events[i])) return { found: t.events[i], next: i };
  return { next: t.events.length };
}

/** Why an event may be missing: the agent's own drop alerts since this file loaded. */
function dropNote(t: JsonlTail): string {
  const drops = t.events.filter((e) => e.event.action === 'events-dropped');
  const newest = t.events[t.events.length - 1]?.['@timestamp'];
  const lag = newest ? `; newest event is ${((Date.now() - Date.parse(newest)) / 1000).toFixed(1)} s old` : '';
  if (!drops.length) return `${lag}; the agent reported no dropped events`;
  const last = drops[drops.length - 1] as EcsEvent & { rule?: { description?: string } };
  return `${lag}; the agent reported dropped events ${drops.length} time(s), last: ${last.rule?.description ?? '?'}`;
}

export async function waitForEvent(pred: (e: EcsEvent) => boolean, timeoutMs = 5000, opts: WaitOptions = {}): Promise<EcsEvent> {
  const t = getTail(opts);
  let i = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    t.poll();
    const r = findFrom(t, i, pred);
    if (r.found) return r.found;
    i = r.next;
    if (Date.now() > deadline) {
      throw new Error(`waitForEvent: no matching event within ${timeoutMs} ms (${t.events.length} events scanned)${dropNote(t)}`);
    }
    await sleep(25);
  }
}

/** All matching events seen so far (after polling once). */
export function findEvents(pred: (e: EcsEvent) => boolean, opts: WaitOptions = {}): EcsEvent[] {
  const t = getTail(opts);
  t.poll();
  return t.events.filter(pred);
}

/** Waits `ms` and fails if a matching event arrived. */
export async function waitForNoEvent(pred: (e: EcsEvent) => boolean, ms = 1000, opts: WaitOptions = {}): Promise<void> {
  await sleep(ms);
  const hits = findEvents(pred, opts);
  if (hits.length) throw new Error(`waitForNoEvent: ${hits.length} unexpected event(s), first: ${JSON.stringify(hits[0])}`);
}

let seq = 0;
/** A name no other test, run or process will use: prefix-pid-seq-random. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`;
}

/** A fresh temp dir with symlinks resolved, so paths compare equal to what the kernel reports. */
export function tempDir(prefix = 'vigil-e2e-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** Copy a binary (e.g. /bin/true) to a uniquely named executable in `dir`. */
export function uniqueCopy(binary: string, dir: string, prefix = 'vigil'): string {
  const path = join(dir, uniqueName(prefix));
  copyFileSync(binary, path);
  chmodSync(path, 0o755);
  return path;
}
