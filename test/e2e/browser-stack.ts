// A real stack for browser tests: a control plane on 127.0.0.1:0 (temp DB,
// dashboard plug-in, agent and responder tokens), a real `vigil agent`
// reporting to it, and Debian's headless chromium driven by playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../control-plane/src/app';
import { loadConfig } from '../../control-plane/src/config';
import { dashboardExtension } from '../../control-plane/src/ui/dashboard';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/vigil.js');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

type App = Awaited<ReturnType<typeof buildApp>>;

export interface Stack {
  dir: string; app: App; base: string; port: number; responderToken: string; agentLog: string; hostId: string;
  ctx: BrowserContext; page: Page;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function until(cond: () => boolean, timeoutMs: number, what: string, log?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${log ? `; agent log:\n${tail(log)}` : ''}`);
    await sleep(50);
  }
}

export async function startStack(prefix: string, viewport = { width: 1400, height: 900 }): Promise<Stack> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`make apt-deps\` (or apt-get install -y chromium)`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`make build\` first`);
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const config = loadConfig({ dbPath: join(dir, 'control-plane.db'), port: 0, logLevel: 'silent', heartbeatIntervalMs: 1000 });
  const app = await buildApp(config, { extend: dashboardExtension });
  const agentToken = app.vigil.tokens.create('agent', 'e2e-agent').token;
  const responderToken = app.vigil.tokens.create('responder', 'e2e-responder').token;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };

  const agentLog = join(dir, 'agent.log');
  // The token goes in the environment, as the README says: ps shows arguments.
  const agent: ChildProcess = spawn(process.execPath, [CLI, 'agent', '--control-plane', `ws://127.0.0.1:${port}/v1/agent`,
    '--db', join(dir, 'events.db'), '--log-level', 'info'],
  { cwd: dir, env: { ...process.env, VIGIL_TOKEN: agentToken }, stdio: ['ignore', 'ignore', openSync(agentLog, 'w')] });
  let exited: number | null | undefined;
  agent.on('exit', (code) => { exited = code; });
  await until(() => app.vigil.registry.size > 0 || exited !== undefined, 30_000, 'the agent to connect', agentLog);
  if (exited !== undefined) throw new Error(`vigil agent exited (${exited}) before connecting:\n${tail(agentLog)}`);
  const hostId = app.vigil.registry.hostIds()[0];

  const ctx = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport,
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const stop = async () => {
    await ctx.close().catch(() => undefined);
    if (agent.exitCode === null && agent.signalCode === null) {
      const gone = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      const timer = setTimeout(() => agent.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, app, base: `http://127.0.0.1:${port}`, port, responderToken, agentLog, hostId, ctx, page, stop };
}

/** Events of the agent's own history (its --db), through `vigil query --json`. */
export function queryHistory(dir: string, args: string[]): Array<Record<string, unknown>> {
  const out = spawnSync(process.execPath, [CLI, 'query', '--db', join(dir, 'events.db'), '--json', ...args], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
