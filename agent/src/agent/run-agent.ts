// The `vigil agent` life: open the output, start the loader, feed every event
// to the sinks, stop cleanly on SIGINT/SIGTERM. Resolves to the exit code.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EcsEvent } from '../model/ecs-event';
import { EventNormalizer } from '../normalize';
import { JsonlWriter } from '../output/jsonl-writer';
import { hostname } from 'node:os';
import { loaderGapAlert } from '../alerts';
import type { CaptureProfile, LoaderControl } from './loader-process';
import type { ExecBlock } from './exec-block';
import { LoaderSupervisor, type LoaderGap } from './loader-supervisor';
import type { LoaderStats } from './loader-stats';

/** Something that consumes every normalized event (JSONL, process table, rules, store...). */
export type EventSink = (ev: EcsEvent) => void;

export interface AgentConfig {
  loaderPath: string;
  jsonl?: string;
  ringbufSize?: number;
  /** Kernel filter profile (docs/performance.md); the loader's own default is all. */
  capture?: CaptureProfile;
  dedupWindowMs?: number;
  /** Loader --bpf-stats: per-program run time in STATS. */
  bpfStats?: boolean;
  /** Sinks the composition root adds (process model, rules, store); run in order. */
  sinks?: EventSink[];
  /** Replaces the plain sink fan-out: gets every event, writes through `emit`. */
  pipeline?: AgentPipeline;
  /** Executables the kernel kills at exec (--block-exec). */
  execBlocks?: readonly ExecBlock[];
}

/** What the composition root plugs in between the loader and the outputs. */
export interface AgentPipeline {
  start(emit: EventSink): void;
  ingest(ev: EcsEvent): void;
  onLoaderStats(stats: LoaderStats): void;
  /** True when a rule or the baseline may respond, so exec records should reach it without the poll's wait. */
  respondsToExecs?(): boolean;
  /** The running loader's control channel (kernel filters), once it is spawned. */
  attachLoader?(ctl: LoaderControl, loaderPids: () => number[]): void;
  /** A dead loader was replaced; the gap is lost capture. */
  onLoaderGap?(gap: LoaderGap): void;
  /** Flush queues; returns when outputs are safe to close. */
  stop(): Promise<void>;
}

export async function runAgent(cfg: AgentConfig, logger: Logger): Promise<number> {
  if (!existsSync(cfg.loaderPath)) {
    logger.error(`loader binary not found at ${cfg.loaderPath} — run \`make loader\` or pass --loader PATH`);
    return 1;
  }
  let shutdown: ((code: number) => void) | undefined;
  const writer = cfg.jsonl === undefined ? undefined : JsonlWriter.open(cfg.jsonl, {
    onError: (err) => {
      // A closed stdout pipe (`vigil agent --jsonl - | head`) is a normal end.
      const code = (err as NodeJS.ErrnoException).code === 'EPIPE' ? 0 : 1;
      if (code) logger.error({ err: err.message }, '--jsonl output failed');
      shutdown?.(code);
    },
  });
  if (!writer && !cfg.pipeline) logger.warn('no --jsonl given: events are only counted');

  const sinks: EventSink[] = [...(cfg.sinks ?? [])];
  if (writer) sinks.push((ev) => writer.write(ev));
  const sinkLog = logger.child({ module: 'sink' });
  let sinkErrors = 0;
  const onEvent = (ev: EcsEvent): void => {
    for (const sink of sinks) {
      try {
        sink(ev);
      } catch (err) {
        if (sinkErrors++ === 0) sinkLog.error({ err }, 'event sink threw (further errors are only counted)');
      }
    }
  };

  const pipeline = cfg.pipeline;
  pipeline?.start(onEvent);
  const loader = new LoaderSupervisor({
    loaderPath: cfg.loaderPath,
    ringbufSize: cfg.ringbufSize,
    capture: cfg.capture,
    dedupWindowMs: cfg.dedupWindowMs,
    bpfStats: cfg.bpfStats,
    execWakeup: pipeline?.respondsToExecs?.() === true,
    normalizer: new EventNormalizer(),
    logger: logger.child({ module: 'loader' }),
    onEvent: pipeline ? (ev) => pipeline.ingest(ev) : onEvent,
    onStats: pipeline ? (s) => pipeline.onLoaderStats(s) : undefined,
    // Without a pipeline the gap alert still reaches the outputs.
    onGap: (gap) => (pipeline?.onLoaderGap ? pipeline.onLoaderGap(gap) : onEvent(loaderGapAlert(gap, { host: hostname() }) as unknown as EcsEvent)),
  });
  pipeline?.attachLoader?.(loader, () => loader.pids());
  if (cfg.execBlocks?.length) {
    loader.blockExec(cfg.execBlocks);
    logger.info({ paths: cfg.execBlocks.map((b) => b.path) }, 'exec blocked in kernel for these executables');
  }

  const stopped = new Promise<number>((resolve) => { shutdown = resolve; });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signals++ === 0) {
      logger.info({ signal: sig }, 'stopping (the loader takes a few seconds to detach; signal again to force)');
      shutdown?.(0);
    } else {
      logger.warn({ signal: sig }, 'forcing stop: killing the loader');
      loader.kill();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const code = await Promise.race([
    stopped,
    loader.exited.then((exit) => {
      if (exit.requested) return 0;
      logger.error({ code: exit.code, signal: exit.signal }, exit.message);
      return exit.code ? exit.code : 1;
    }),
  ]);
  const exit = await loader.stop();
  await pipeline?.stop();
  if (exit.code !== 0 && exit.requested) logger.warn({ code: exit.code, signal: exit.signal }, exit.message);
  await writer?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  logger.info({ written: writer?.written ?? 0, dropped_output: writer?.dropped ?? 0, ...loader.collectorCounters() }, 'agent stopped');
  return code;
}
