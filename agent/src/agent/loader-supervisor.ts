// Keeps a vigil-loader running. A loader that dies after it was ready (a
// crash, an OOM kill, an attacker's kill -9) is respawned at once, and the
// blind interval is reported: onGap with its length and an estimate of the
// events lost in it, from the event rate before the death. A loader that
// fails before READY (not root, no BTF, a refused required probe) is a
// configuration problem, not a crash: that ends the agent, as before. So do
// more than MAX_RESTARTS deaths within RESTART_WINDOW_MS, so a loader that
// dies on every start cannot spin.
import type { Logger } from 'pino';
import { LoaderProcess, type CollectorCounters, type ControlResult, type IsolationCommand, type LoaderControl, type LoaderExit, type LoaderProcessOptions, type ReadWatch } from './loader-process';
import type { ExecBlock } from './exec-block';
import type { LoaderStats } from './loader-stats';
import type { KernelResponse } from '../response/kernel-responses';

export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;
/** Respawn delay: long enough for the dead loader's probes to be released. */
export const RESTART_DELAY_MS = 100;
/** How often the running loader is checked for a death in progress. */
export const WATCHDOG_MS = 250;

export interface LoaderGap {
  /** Restarts so far in this agent's life. */
  restarts: number;
  /** From the last frame of the dead loader to the new loader's READY. */
  gapMs: number;
  /** Events the host likely produced meanwhile: the pre-death rate x gapMs. */
  estimatedLost: number;
  /** How the loader died. */
  exit: LoaderExit;
}

export interface LoaderSupervisorOptions extends LoaderProcessOptions {
  /** The loader died and a new one is streaming again. */
  onGap?: (gap: LoaderGap) => void;
  restartDelayMs?: number;
}

const now = (): number => Date.now();

export class LoaderSupervisor implements LoaderControl {
  /** Resolves when the loader stopped for good: asked to, failed at start, or died too often. */
  readonly exited: Promise<LoaderExit>;
  private current: LoaderProcess;
  private watch?: ReadWatch | 'all';
  private blocks: ExecBlock[] = [];
  private kernelResponses?: readonly KernelResponse[];
  private responseAllow: readonly ExecBlock[] = [];
  private readonly isolations = new Map<string, IsolationCommand>();
  private stopping = false;
  private restarts = 0;
  private deaths: number[] = [];
  private readonly dying = new WeakSet<LoaderProcess>();
  private retired: CollectorCounters[] = [];
  private lastFrameAt = now();
  private rate = { events: 0, since: now(), perMs: 0 };
  private readonly log: Logger;
  private resolveExit!: (e: LoaderExit) => void;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly opts: LoaderSupervisorOptions) {
    this.log = opts.logger;
    this.exited = new Promise((r) => { this.resolveExit = r; });
    this.current = this.spawn();
    // A killed loader's exit and EOF both wait for its probes to detach
    // (seconds); PF_EXITING shows the death at once.
    this.watchdog = setInterval(() => {
      const l = this.current;
      if (!this.stopping && l.isReady() && l.isExiting()) this.onDeath(l);
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  setReadWatch(watch: ReadWatch | 'all'): void {
    this.watch = watch;
    this.current.setReadWatch(watch);
  }

  blockExec(blocks: readonly ExecBlock[]): void {
    this.blocks = [...this.blocks, ...blocks];
    this.current.blockExec(blocks);
  }

  unblockExec(blocks: readonly ExecBlock[]): void {
    const gone = new Set(blocks.map((b) => `${b.ino}:${b.major}:${b.minor}`));
    this.blocks = this.blocks.filter((b) => !gone.has(`${b.ino}:${b.major}:${b.minor}`));
    this.current.unblockExec(blocks);
  }

  setKernelResponses(entries: readonly KernelResponse[]): void {
    this.kernelResponses = entries;
    this.current.setKernelResponses(entries);
  }

  setResponseAllow(files: readonly ExecBlock[]): void {
    this.responseAllow = files;
    this.current.setResponseAllow(files);
  }

  /** Not kept across a loader restart: a kill-tree is over in milliseconds. */
  killTree(tgid: number, on: boolean): void {
    this.current.killTree(tgid, on);
  }

  /** Live isolations and allow-list entries are kept, so a restarted loader gets them back. */
  async isolation(cmd: IsolationCommand): Promise<ControlResult> {
    const r = await this.current.isolation(cmd);
    if (r.ok) {
      if (cmd.op === 'isolate' || cmd.op === 'isolate-allow') this.isolations.set(cmd.id, cmd);
      else this.isolations.delete(cmd.id);
    }
    return r;
  }

  /** The running loader's pid (protected from every response). */
  pids(): number[] {
    const pid = this.current.pid;
    return pid === undefined ? [] : [pid];
  }

  latestStats(): LoaderStats | undefined {
    return this.current.latestStats();
  }

  isReady(): boolean {
    return this.current.isReady();
  }

  /** Collector counters summed over every loader this agent ran. */
  collectorCounters(): CollectorCounters {
    const all = [...this.retired, this.current.collectorCounters()];
    const sum = (k: keyof Omit<CollectorCounters, 'decodeErrors'>) => all.reduce((n, c) => n + c[k], 0);
    const decodeErrors: CollectorCounters['decodeErrors'] = {};
    for (const c of all) for (const [k, v] of Object.entries(c.decodeErrors)) decodeErrors[k as keyof typeof decodeErrors] = (decodeErrors[k as keyof typeof decodeErrors] ?? 0) + (v ?? 0);
    return {
      frames: sum('frames'), records: sum('records'), events: sum('events'), normalizeDropped: all[all.length - 1].normalizeDropped,
      badStatsFrames: sum('badStatsFrames'), unknownFrames: sum('unknownFrames'), resyncedBytes: sum('resyncedBytes'), decodeErrors,
    };
  }

  async stop(): Promise<LoaderExit> {
    this.stopping = true;
    clearInterval(this.watchdog);
    const exit = await this.current.stop();
    this.finish(exit);
    return exit;
  }

  kill(): void {
    this.stopping = true;
    clearInterval(this.watchdog);
    this.current.kill();
  }

  /** The loader stopped for good: no more watching, `exited` resolves. */
  private finish(exit: LoaderExit): void {
    clearInterval(this.watchdog);
    this.resolveExit(exit);
  }

  private spawn(): LoaderProcess {
    const loader = new LoaderProcess({
      ...this.opts,
      onEvent: (ev) => { this.lastFrameAt = now(); this.rate.events++; this.opts.onEvent(ev); },
      onStats: (s) => { this.lastFrameAt = now(); this.sampleRate(); this.opts.onStats?.(s); },
    });
    void loader.exited.then((exit) => this.onExit(loader, exit));
    return loader;
  }

  /** Events per ms over the last stats interval or so (the estimate for a gap). */
  private sampleRate(): void {
    const t = now();
    if (t - this.rate.since >= 1000) {
      this.rate.perMs = this.rate.events / (t - this.rate.since);
      this.rate.events = 0;
      this.rate.since = t;
    }
  }

  private onExit(loader: LoaderProcess, exit: LoaderExit): void {
    if (loader !== this.current || this.stopping || exit.requested) return;
    if (!loader.isReady()) {
      this.finish(exit); // failed at start: configuration, not a crash
      return;
    }
    this.onDeath(loader);
  }

  private onDeath(loader: LoaderProcess): void {
    if (this.dying.has(loader)) return;
    this.dying.add(loader);
    const diedAt = now();
    this.deaths = [...this.deaths.filter((t) => diedAt - t < RESTART_WINDOW_MS), diedAt];
    if (this.deaths.length > MAX_RESTARTS) {
      void loader.exited.then((exit) => {
        this.log.error({ deaths: this.deaths.length, window_ms: RESTART_WINDOW_MS }, `loader died ${this.deaths.length} times in a minute; giving up: ${exit.message}`);
        this.finish(exit);
      });
      return;
    }
    const blindFrom = this.lastFrameAt;
    const perMs = this.rate.perMs;
    this.log.error('loader stopped streaming unasked; restarting it');
    setTimeout(() => {
      if (this.stopping) return;
      this.retired.push(loader.collectorCounters());
      this.restarts++;
      const next = this.spawn();
      this.current = next;
      if (this.watch) next.setReadWatch(this.watch);
      if (this.blocks.length) next.blockExec(this.blocks); // a new loader has empty maps
      if (this.responseAllow.length) next.setResponseAllow(this.responseAllow); // before the rules it guards
      if (this.kernelResponses) next.setKernelResponses(this.kernelResponses);
      void this.whenReady(next).then(async (ok) => {
        if (!ok) return;
        for (const cmd of this.isolations.values()) {
          const r = await next.isolation(cmd);
          if (!r.ok) this.log.error({ id: cmd.id, error: r.error }, 'could not restore an isolation on the restarted loader');
        }
      });
      const readyAt = this.whenReady(next).then((ok) => (ok ? now() : undefined));
      void Promise.all([readyAt, loader.exited]).then(([at, exit]) => {
        if (at === undefined || next !== this.current) return;
        const gapMs = at - blindFrom;
        const gap: LoaderGap = { restarts: this.restarts, gapMs, estimatedLost: Math.round(perMs * gapMs), exit };
        this.log.warn({ gap_ms: gapMs, estimated_lost: gap.estimatedLost, restarts: this.restarts, code: exit.code, signal: exit.signal }, `${exit.message}; restarted: events in the gap were lost`);
        this.opts.onGap?.(gap);
      });
    }, this.opts.restartDelayMs ?? RESTART_DELAY_MS);
  }

  private async whenReady(loader: LoaderProcess): Promise<boolean> {
    for (;;) {
      if (loader.isReady()) return true;
      const done = await Promise.race([loader.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]);
      if (done) return loader.isReady();
    }
  }
}
