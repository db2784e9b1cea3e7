// `vigil agent`: options are parsed and validated here, at the edge, into a
// frozen AgentConfig; everything past this point trusts them.
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger';
import { defaultLoaderPath } from './loader-process';
import { runAgent } from './run-agent';

const MIN_RINGBUF = 4096;
const MAX_RINGBUF = 1 << 30;

/** "8M", "65536", "512K" -> bytes; a power of two between a page and 1G. */
export function parseRingbufSize(value: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(value.trim());
  const mult = m ? ({ '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[m[2].toUpperCase()] : 0;
  const bytes = m ? Number(m[1]) * mult : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_RINGBUF || bytes > MAX_RINGBUF || (bytes & (bytes - 1)) !== 0) {
    throw new InvalidArgumentError('must be a power of two between 4096 and 1G, e.g. 8M or 16777216.');
  }
  return bytes;
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of: ${LOG_LEVELS.join(', ')}.`);
  }
  return value as LogLevel;
}

export function parseJsonlTarget(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('give a file path, or - for stdout.');
  return value;
}

interface AgentFlags {
  jsonl?: string;
  ringbufSize?: number;
  loader?: string;
  logLevel: LogLevel;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('capture kernel events with the eBPF loader and emit normalized ECS events (run as root)')
    .option('--jsonl <file|->', 'append events as JSON lines to a file, or - for stdout', parseJsonlTarget)
    .option('--ringbuf-size <bytes>', 'kernel ring buffer size, power of two (K/M/G suffixes)', parseRingbufSize)
    .option('--loader <path>', 'vigil-loader binary (default: build/vigil-loader in the package)')
    .option('--log-level <level>', `log level on stderr: ${LOG_LEVELS.join('|')}`, parseLogLevel, 'info' as LogLevel)
    .action(async (flags: AgentFlags) => {
      const logger = createLogger(flags.logLevel, { component: 'agent' });
      const code = await runAgent(Object.freeze({
        loaderPath: flags.loader ?? defaultLoaderPath(),
        jsonl: flags.jsonl,
        ringbufSize: flags.ringbufSize,
      }), logger);
      process.exitCode = code;
    });
}
