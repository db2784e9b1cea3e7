// One `vigil agent` for the whole e2e project: built from the current source,
// started as root writing JSONL to a temp file, and declared ready once a
// marker exec made after start shows up in that file. Tests read the file
// through test/e2e/harness.ts (path via inject('vigilJsonl') or the env var).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    vigilJsonl: string;
    vigilJsonlAll: string;
    vigilMetricsUrl: string;
    vigilMetricsUrlAll: string;
  }
}

export const JSONL_ENV = 'VIGIL_E2E_JSONL';
export const JSONL_ALL_ENV = 'VIGIL_E2E_JSONL_ALL';
const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/vigil.js');
const LOADER = join(ROOT, 'build/vigil-loader');
const READY_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (ent.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuild dist/ when any agent source is newer than the built CLI (tsc is slow on 2 cores). */
function buildTs(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs > newestMtime(join(ROOT, 'agent/src'))) return;
  // tsc exits non-zero for type errors anywhere in the tree but still emits;
  // what matters here is that the CLI we are about to run is fresh.
  const before = Date.now();
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < before - 1000) {
    throw new Error(`e2e: tsc did not emit ${CLI} — run \`npx tsc -p tsconfig.json\` to see why`);
  }
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}

interface RunningAgent {
  dir: string;
  jsonl: string;
  logPath: string;
  stop(): Promise<boolean>;
}

/** Start one agent writing JSONL under a fresh temp dir; ready once a marker exec shows up. */
async function startAgent(name: string, extraArgs: (dir: string) => string[]): Promise<RunningAgent> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `vigil-e2e-${name}-`)));
  const jsonl = join(dir, 'events.jsonl');
  const logPath = join(dir, 'agent.log');
  const agent: ChildProcess = spawn(process.execPath, [CLI, 'agent', '--jsonl', jsonl, '--log-level', 'info', ...extraArgs(dir)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', openSync(logPath, 'w')],
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((r) => agent.on('exit', (code, signal) => { exited = { code, signal }; r(); }));

  // Ready = a process exec'd after start is in the JSONL: proves loader,
  // decode, normalize and output are all live, not just that READY was sent.
  const marker = join(dir, `vigil-ready-${process.pid}`);
  copyFileSync('/bin/true', marker);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`e2e: ${name} agent exited early (${JSON.stringify(exited)}):\n${tail(logPath)}`);
    if (Date.now() > deadline) {
      agent.kill('SIGKILL');
      throw new Error(`e2e: ${name} agent not ready after ${READY_TIMEOUT_MS} ms:\n${tail(logPath)}`);
    }
    spawnSync(marker);
    await sleep(200);
    if (existsSync(jsonl) && readFileSync(jsonl, 'utf8').includes(`"executable":"${marker}"`)) break;
  }
  return {
    dir, jsonl, logPath,
    async stop() {
      if (!exited) {
        agent.kill('SIGTERM');
        const timer = setTimeout(() => agent.kill('SIGKILL'), 45_000);
        await exit;
        clearTimeout(timer);
      }
      const clean = exited?.code === 0;
      if (!clean) console.error(`e2e: ${name} agent did not stop cleanly (${JSON.stringify(exited)}):\n${tail(logPath)}`);
      if (clean && !process.env.VIGIL_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.error(`e2e: ${name} agent output kept in ${dir}`);
      return clean;
    },
  };
}

// Two agents: what users run (`--capture default`, rules, history), and
// full capture (`--capture all`, rules, no history) for the tests that
// check every probe's exact events, including those the default profile
// filters in kernel (docs/performance.md).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) throw new Error('e2e: the real-kernel tests load eBPF programs — run vitest as root');
  if (!existsSync(LOADER)) throw new Error(`e2e: ${LOADER} is missing — run \`make loader\` first`);
  buildTs();

  const metricsPort = await freePort();
  const metricsPortAll = await freePort();
  const [def, all] = await Promise.all([
    startAgent('default', (dir) => ['--capture', 'default', '--db', join(dir, 'events.db'),
      '--metrics', `127.0.0.1:${metricsPort}`, '--bpf-stats']),
    startAgent('all', () => ['--capture', 'all', '--no-db', '--metrics', `127.0.0.1:${metricsPortAll}`]),
  ]);
  project.provide('vigilJsonl', def.jsonl);
  project.provide('vigilJsonlAll', all.jsonl);
  project.provide('vigilMetricsUrl', `http://127.0.0.1:${metricsPort}/metrics`);
  project.provide('vigilMetricsUrlAll', `http://127.0.0.1:${metricsPortAll}/metrics`);
  process.env[JSONL_ENV] = def.jsonl;
  process.env[JSONL_ALL_ENV] = all.jsonl;

  return async () => {
    await Promise.all([def.stop(), all.stop()]);
  };
}
