// Runs build/vigil-loader as a child and turns its stdout frames into
// EcsEvents. Our end of its stdin stays open for its whole life: when this
// process dies, stdin closes and the loader stops on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { FrameKind, FrameReader } from '../decode/frame-reader';
import { DecodeError, decodeEvents, type DecodeErrorCode } from '../decode/record-decoder';
import type { EcsEvent } from '../model/ecs-event';
import type { EventNormalizer } from '../normalize';
import type { RawRecord } from '../normalize/types';
import { execBlockLines, responseAllowLines, type ExecBlock } from './exec-block';
import { kernelResponseLines, type KernelResponse } from '../response/kernel-responses';
import { loaderExitMessage } from './loader-exit';
import { parseLoaderStats, type LoaderStats } from './loader-stats';
import { parseStat } from '../process/proc-parse';

/** Package root: dist/agent/src/agent -> 4 up; agent/src/agent (vitest) -> 3 up. */
export function packageRoot(): string {
  const up4 = resolve(__dirname, '../../../..');
  return existsSync(resolve(up4, 'package.json')) ? up4 : resolve(__dirname, '../../..');
}

export function defaultLoaderPath(): string {
  return resolve(packageRoot(), 'build/vigil-loader');
}

export type CaptureProfile = 'default' | 'all';

/** include/linux/sched.h: set by do_exit() before anything is torn down. */
const PF_EXITING = 0x4;

/** Kernel filter state the collector keeps in step with its rules. */
export interface ReadWatch {
  /** Dentry names: the opened file's own name, or its directory's. */
  files: string[];
  dirs: string[];
}

/** The loader's control channel (agent/loader/control.h). */
export interface LoaderControl {
  /** Names whose read-only opens ship, or 'all' to ship every read. */
  setReadWatch(watch: ReadWatch | 'all'): void;
  /** Executables the kernel kills at exec. */
  blockExec(blocks: readonly ExecBlock[]): void;
  unblockExec(blocks: readonly ExecBlock[]): void;
  /** Arm (or disarm) the kernel's half of a kill-tree: the tree's members die when they fork or exec. */
  killTree(tgid: number, on: boolean): void;
  /** The rules the kernel carries out at exec (replaces the previous set). */
  setKernelResponses(entries: readonly KernelResponse[]): void;
  /** Executables no kernel response touches. */
  setResponseAllow(files: readonly ExecBlock[]): void;
  /** Network isolation (agent/loader/control.h): resolves with the loader's own answer. */
  isolation(cmd: IsolationCommand): Promise<ControlResult>;
}

export type IsolationCommand =
  | { op: 'isolate'; id: string; cgroup: string }
  | { op: 'release'; id: string }
  | { op: 'isolate-allow' | 'isolate-disallow'; id: string; ip: string; port: number };

export interface ControlResult {
  ok: boolean;
  error?: string;
}

/** No answer in this time: the command counts as failed, never as done. */
export const CONTROL_TIMEOUT_MS = 2000;

export function isolationLine(cmd: IsolationCommand): string {
  const safe = (s: string): string => {
    if (!/^[^\s]+$/.test(s)) throw new Error(`control argument '${s}' has whitespace or is empty`);
    return s;
  };
  switch (cmd.op) {
    case 'isolate': return `isolate ${safe(cmd.id)} ${safe(cmd.cgroup)}`;
    case 'release': return `release ${safe(cmd.id)}`;
    default: return `${cmd.op} ${safe(cmd.id)} ${safe(cmd.ip)} ${cmd.port}`;
  }
}

const RESULT_LINE = /^vigil-loader: control-result (\S+) (ok|error)(?: (.*))?$/;

/** Control lines for a read watch; names with '/' or a newline cannot be dentry names. */
export function readWatchLines(watch: ReadWatch | 'all'): string[] {
  if (watch === 'all') return ['watch-off'];
  const ok = (n: string) => n.length > 0 && !/[/\n\r]/.test(n);
  return [
    'watch-begin',
    ...watch.files.filter(ok).map((n) => `watch file ${n}`),
    ...watch.dirs.filter(ok).map((n) => `watch dir ${n}`),
    'watch-commit',
  ];
}

export interface LoaderProcessOptions {
  loaderPath: string;
  normalizer: EventNormalizer;
  logger: Logger;
  onEvent: (ev: EcsEvent) => void;
  /** Every READY/STATS frame, after it is parsed (drop alerts, heartbeats). */
  onStats?: (stats: LoaderStats) => void;
  ringbufSize?: number;
  capture?: CaptureProfile;
  dedupWindowMs?: number;
  bpfStats?: boolean;
  /** Exec records wake the loader at once (at most every 2 ms): a response waits on them. */
  execWakeup?: boolean;
  /** Processes whose events the kernel should drop (always includes us). */
  selfPids?: number[];
  /** Grace after closing stdin before SIGTERM, and again before SIGKILL.
   *  Detaching ~100 probes takes the loader several seconds. */
  stopTimeoutMs?: number;
}

export interface LoaderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when we asked it to stop; false means it died on its own. */
  requested: boolean;
  message: string;
}

export interface CollectorCounters {
  frames: number;
  records: number;
  events: number;
  normalizeDropped: number;
  decodeErrors: Partial<Record<DecodeErrorCode, number>>;
  badStatsFrames: number;
  unknownFrames: number;
  resyncedBytes: number;
}

export class LoaderProcess implements LoaderControl {
  readonly exited: Promise<LoaderExit>;
  private child: ChildProcess;
  private stopping = false;
  private readonly pending = new Map<string, { resolve: (r: ControlResult) => void; timer: NodeJS.Timeout }>();
  private stats: LoaderStats | undefined;
  private ready = false;
  private readonly reader = new FrameReader();
  private readonly counters: Omit<CollectorCounters, 'normalizeDropped' | 'resyncedBytes'> = {
    frames: 0, records: 0, events: 0, decodeErrors: {}, badStatsFrames: 0, unknownFrames: 0,
  };
  private readonly onRecord = (rec: RawRecord): void => {
    this.counters.records++;
    const ev = this.opts.normalizer.normalize(rec);
    if (ev) {
      this.counters.events++;
      this.opts.onEvent(ev);
    }
  };
  private readonly onDecodeError = (err: DecodeError): void => {
    const n = this.counters.decodeErrors[err.code] ?? 0;
    this.counters.decodeErrors[err.code] = n + 1;
    if (n === 0) this.opts.logger.warn({ err: err.message }, 'dropping malformed kernel record (further ones are only counted)');
  };

  constructor(private readonly opts: LoaderProcessOptions) {
    const args = ['--self-pid', String(process.pid)];
    for (const pid of opts.selfPids ?? []) if (pid !== process.pid) args.push('--self-pid', String(pid));
    if (opts.ringbufSize !== undefined) args.push('--ringbuf-size', String(opts.ringbufSize));
    if (opts.capture) args.push('--capture', opts.capture);
    if (opts.dedupWindowMs !== undefined) args.push('--dedup-window-ms', String(opts.dedupWindowMs));
    if (opts.bpfStats) args.push('--bpf-stats');
    if (opts.execWakeup) args.push('--exec-wakeup');
    opts.logger.debug({ loader: opts.loaderPath, args }, 'starting loader');
    this.child = spawn(opts.loaderPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => { /* EPIPE after the loader exits: its exit tells the story */ });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onChunk(chunk));
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      if (!line.trim()) return;
      const result = RESULT_LINE.exec(line);
      if (result) this.settle(result[1], result[2] === 'ok' ? { ok: true } : { ok: false, error: result[3] ?? 'failed' });
      if (/fail|error|refus|denied|cannot/i.test(line)) opts.logger.warn({ src: 'loader' }, line);
      else opts.logger.info({ src: 'loader' }, line);
    });
    this.exited = new Promise((resolveExit) => {
      let spawnError: Error | undefined;
      this.child.on('error', (err) => { spawnError = err; });
      this.child.on('close', (code, signal) => {
        const message = spawnError
          ? `loader: cannot start ${opts.loaderPath}: ${spawnError.message} — run \`make loader\` or pass --loader PATH`
          : loaderExitMessage(code, signal);
        resolveExit({ code: spawnError ? null : code, signal, requested: this.stopping, message });
      });
    });
  }

  setReadWatch(watch: ReadWatch | 'all'): void {
    this.control(readWatchLines(watch));
  }

  blockExec(blocks: readonly ExecBlock[]): void {
    this.control(execBlockLines(blocks));
  }

  unblockExec(blocks: readonly ExecBlock[]): void {
    this.control(execBlockLines(blocks, false));
  }

  killTree(tgid: number, on: boolean): void {
    if (Number.isInteger(tgid) && tgid > 1) this.control([`${on ? 'kill-tree' : 'kill-tree-end'} ${tgid}`]);
  }

  setKernelResponses(entries: readonly KernelResponse[]): void {
    this.control(kernelResponseLines(entries));
  }

  setResponseAllow(files: readonly ExecBlock[]): void {
    this.control(responseAllowLines(files));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  isolation(cmd: IsolationCommand): Promise<ControlResult> {
    let line: string;
    try {
      line = isolationLine(cmd);
    } catch (err) {
      return Promise.resolve({ ok: false, error: (err as Error).message });
    }
    if (this.stopping || !this.child.stdin?.writable) return Promise.resolve({ ok: false, error: 'the loader is not running' });
    if (this.pending.has(cmd.id)) return Promise.resolve({ ok: false, error: `a command for ${cmd.id} is still waiting for its answer` });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(cmd.id, { ok: false, error: `no answer from the loader in ${CONTROL_TIMEOUT_MS} ms` }), CONTROL_TIMEOUT_MS);
      this.pending.set(cmd.id, { resolve, timer });
      this.child.stdin!.write(`${line}\n`);
    });
  }

  private settle(id: string, r: ControlResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(r);
  }

  private control(lines: string[]): void {
    if (this.stopping || !this.child.stdin?.writable || !lines.length) return;
    this.child.stdin.write(`${lines.join('\n')}\n`);
  }

  /** True once the kernel has begun tearing the loader down (PF_EXITING in
   *  /proc/<pid>/stat), which is seconds before `exited` or stdout's EOF
   *  for a killed loader: its exit waits for every probe to detach, and its
   *  stdout is released last. False while it runs or when unknown. */
  isExiting(): boolean {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return false;
    try {
      const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      return st !== undefined && ((st.flags & PF_EXITING) !== 0 || st.state === 'Z');
    } catch {
      return false; // gone already: `exited` tells
    }
  }

  latestStats(): LoaderStats | undefined {
    return this.stats;
  }

  isReady(): boolean {
    return this.ready;
  }

  collectorCounters(): CollectorCounters {
    return {
      ...this.counters,
      decodeErrors: { ...this.counters.decodeErrors },
      normalizeDropped: this.opts.normalizer.dropped,
      resyncedBytes: this.reader.resyncedBytes,
    };
  }

  /** Ask the loader to stop (stdin EOF: it drains and sends final STATS), escalating if it hangs. */
  async stop(): Promise<LoaderExit> {
    if (!this.stopping) {
      this.stopping = true;
      this.child.stdin!.end();
      const grace = this.opts.stopTimeoutMs ?? 15_000;
      const term = setTimeout(() => this.child.kill('SIGTERM'), grace);
      const kill = setTimeout(() => this.child.kill('SIGKILL'), grace * 2);
      void this.exited.finally(() => { clearTimeout(term); clearTimeout(kill); });
    }
    return this.exited;
  }

  /** Immediate SIGKILL (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    this.child.kill('SIGKILL');
  }

  private onChunk(chunk: Buffer): void {
    for (const frame of this.reader.push(chunk)) {
      this.counters.frames++;
      if (frame.kind === FrameKind.Events) decodeEvents(frame.payload, this.onRecord, this.onDecodeError);
      else if (frame.kind === FrameKind.Stats || frame.kind === FrameKind.Ready) this.onStats(frame.kind, frame.payload);
      else this.counters.unknownFrames++;
    }
  }

  private onStats(kind: FrameKind, payload: Buffer): void {
    const s = parseLoaderStats(payload);
    if (s instanceof Error) {
      this.counters.badStatsFrames++;
      this.opts.logger.warn({ err: s.message }, 'ignoring malformed loader stats frame');
      return;
    }
    const prevDrops = this.stats?.drops ?? 0;
    this.stats = s;
    if (s.realtime_offset_ns !== undefined) this.opts.normalizer.clock.setOffset(s.realtime_offset_ns);
    const { probes, ...counts } = s;
    if (kind === FrameKind.Ready) {
      this.ready = true;
      const failed = probes.filter((p) => !p.attached);
      this.opts.logger.info({ ...counts, attached: probes.length - failed.length, failed: failed.map((p) => `${p.name}: ${p.error}`) }, 'loader ready');
    } else {
      this.opts.logger.debug({ ...counts, collector: this.collectorCounters() }, 'loader stats');
    }
    this.opts.onStats?.(s);
    if (s.drops > prevDrops) {
      this.opts.logger.warn({ drops: s.drops, new_drops: s.drops - prevDrops }, 'kernel ring buffer full: events were dropped (try a larger --ringbuf-size)');
    }
  }
}
