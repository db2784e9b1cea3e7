// Runs build/helpers/sysprobe (test/helpers/sysprobe.c): one syscall kind
// per subcommand, one JSON line per reported step. The pid is known as soon
// as the child is spawned, so callers register waitForEvent() before any
// event can arrive.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const SYSPROBE = resolve(__dirname, '../../build/helpers/sysprobe');

export interface ProbeLine {
  pid: number;
  ret: number;
  errno: number;
  [extra: string]: unknown;
}

export interface ProbeRun {
  pid: number;
  /** Resolves with the next JSON line the helper prints. */
  next(): Promise<ProbeLine>;
  /** Resolves with every line once the helper exits with status 0. */
  done: Promise<ProbeLine[]>;
}

export function startProbe(...args: string[]): ProbeRun {
  if (!existsSync(SYSPROBE)) throw new Error(`${SYSPROBE} is missing: run \`make helpers\` first`);
  const child = spawn(SYSPROBE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not spawn ${SYSPROBE}`);
  const lines: ProbeLine[] = [];
  const waiting: ((l: ProbeLine) => void)[] = [];
  let consumed = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as ProbeLine;
    lines.push(line);
    const w = waiting.shift();
    if (w) { consumed++; w(line); }
  });
  const done = new Promise<ProbeLine[]>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(lines) : fail(new Error(`sysprobe ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
  return {
    pid: child.pid,
    done,
    next: () => new Promise<ProbeLine>((ok) => {
      if (consumed < lines.length) ok(lines[consumed++]);
      else waiting.push(ok);
    }),
  };
}
