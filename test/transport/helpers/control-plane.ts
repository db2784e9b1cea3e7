// A real control plane (buildApp) on 127.0.0.1 with a file-backed DB, so a
// test can stop it and start it again on the same port over the same DB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../control-plane/src/app';
import { loadConfig, type ConfigInput } from '../../../control-plane/src/config';

export interface ControlPlane {
  app: FastifyInstance;
  port: number;
  url: string;            // ws(s)://127.0.0.1:PORT
  close(): Promise<void>;
}

export interface Tokens { agent: string; viewer: string; responder: string }

export async function startControlPlane(dbPath: string, port = 0, input: ConfigInput = {},
  https?: { cert: Buffer; key: Buffer }): Promise<ControlPlane> {
  const config = loadConfig({ dbPath, logLevel: 'silent', port, host: '127.0.0.1', ...input });
  const app = await buildApp(config, { healthMonitor: false, ...(https ? { fastify: { https } } : {}) });
  await app.listen({ host: '127.0.0.1', port });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('control plane has no address');
  let closed = false;
  return {
    app, port: addr.port, url: `${https ? 'wss' : 'ws'}://127.0.0.1:${addr.port}`,
    close: async () => { if (!closed) { closed = true; await app.close(); } },
  };
}

export function createTokens(app: FastifyInstance): Tokens {
  const t = app.vigil.tokens;
  return { agent: t.create('agent', 'a').token, viewer: t.create('viewer', 'v').token, responder: t.create('responder', 'r').token };
}

export function tempDir(prefix = 'vigil-transport-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An alert document shaped like agent/src/alerts buildAlert() output. */
export function alertDoc(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString();
  const ev = {
    '@timestamp': ts, event: { kind: 'event', category: ['process'], action: 'exec', id: `ev-${n}` },
    process: { pid: 100 + n, entity_id: `ent-${n}`, name: 'sh', executable: '/bin/sh', args: ['sh', '-c', 'id'], thread: { id: 100 + n }, parent: { pid: 1 } },
    host: { name: 'web1' },
  };
  return {
    '@timestamp': ts,
    event: { kind: 'alert', id: `alert-${n}`, created: ts, category: ['process'], action: 'exec', severity: 73, risk_score: 73 },
    rule: { id: 'proc-shell-from-web', name: 'Shell spawned by web server', level: 'high', ruleset: 'sigma', tags: ['attack.t1059.004'], reference: [] },
    threat: { framework: 'MITRE ATT&CK', tactic: { id: ['TA0002'], name: ['Execution'] }, technique: { id: ['T1059'], subtechnique: { id: ['T1059.004'] } } },
    process: ev.process, host: { name: 'web1' },
    vigil: { alert: { events: [ev], related: [], count: 1, first_seen: ts, last_seen: ts, n } },
    ...over,
  };
}
