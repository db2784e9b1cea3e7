// --jsonl <file|->: one JSON object per line. Lines are batched and written
// every `flushBytes` or `flushMs`, whichever comes first. If the sink cannot
// keep up, lines past `maxBufferedBytes` are dropped and counted: the capture
// path never blocks on a slow disk or a paused pipe.
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';

export class JsonlOpenError extends Error {
  constructor(path: string, cause: Error) {
    super(`--jsonl: cannot open "${path}" for writing: ${cause.message} — check the directory exists and is writable`);
    this.name = 'JsonlOpenError';
  }
}

export interface JsonlWriterOptions {
  flushBytes?: number;
  flushMs?: number;
  maxBufferedBytes?: number;
  onError?: (err: Error) => void;
}

const bigintSafe = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/** JSON text of one value; bigints become decimal strings. */
export function toJsonLine(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    // Only bigints make plain stringify throw; the replacer is slower, so it is the fallback.
    return JSON.stringify(value, bigintSafe);
  }
}

export class JsonlWriter {
  written = 0;
  dropped = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed: Error | undefined;
  private readonly flushBytes: number;
  private readonly flushMs: number;
  private readonly maxBuffered: number;

  constructor(private readonly stream: Writable, private readonly ownsStream: boolean, opts: JsonlWriterOptions = {}) {
    this.flushBytes = opts.flushBytes ?? 64 * 1024;
    this.flushMs = opts.flushMs ?? 50;
    this.maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
    stream.on('error', (err: Error) => {
      if (this.failed) return;
      this.failed = err;
      opts.onError?.(err);
    });
  }

  /** "-" is stdout; anything else a file opened for append (checked now, not on first write). */
  static open(target: string, opts?: JsonlWriterOptions): JsonlWriter {
    if (target === '-') return new JsonlWriter(process.stdout, false, opts);
    let fd: number;
    try {
      fd = openSync(target, 'a');
    } catch (err) {
      throw new JsonlOpenError(target, err as Error);
    }
    return new JsonlWriter(createWriteStream('', { fd }), true, opts);
  }

  write(value: unknown): void {
    if (this.failed) {
      this.dropped++;
      return;
    }
    const line = toJsonLine(value) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const n = this.pending.length;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (this.failed || this.stream.writableLength > this.maxBuffered) {
      this.dropped += n;
      return;
    }
    this.stream.write(chunk);
    this.written += n;
  }

  /** Flush and wait until the bytes are handed to the OS; closes files we opened. */
  async close(): Promise<void> {
    this.flush();
    if (this.failed) return;
    await new Promise<void>((done) => {
      if (this.ownsStream) this.stream.end(done);
      else this.stream.write('', () => done());
    });
  }
}
