// Test harness: an in-memory control plane with one token per role, and
// a listener on 127.0.0.1:0 for the tests where the network is the point.
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../../control-plane/src/app';
import { loadConfig, type Config, type ConfigInput } from '../../../control-plane/src/config';
import type { Role } from '../../../control-plane/src/store/token-store';

export interface Harness {
  app: FastifyInstance;
  config: Config;
  tokens: Record<Role, string>;
  /** An agent token for this host (a token binds to the first host that uses it). */
  agentToken(hostId: string): string;
  wsBase: string;          // ws://127.0.0.1:PORT ('' until listen())
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function makeHarness(input: ConfigInput = {}, opts: BuildOptions = {}): Promise<Harness> {
  const config = loadConfig({ dbPath: ':memory:', logLevel: 'silent', port: 0, ...input });
  const app = await buildApp(config, { healthMonitor: false, ...opts });
  const t = app.vigil.tokens;
  const tokens = {
    agent: t.create('agent', 'test-agent').token,
    viewer: t.create('viewer', 'test-viewer').token,
    responder: t.create('responder', 'test-responder').token,
    admin: t.create('admin', 'test-admin').token,
  };
  const perHost = new Map<string, string>();
  const h: Harness = {
    app, config, tokens, wsBase: '',
    agentToken(hostId) {
      let tok = perHost.get(hostId);
      if (!tok) perHost.set(hostId, (tok = t.create('agent', `test-agent-${hostId}`).token));
      return tok;
    },
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      if (!addr || typeof addr !== 'object') throw new Error('no address');
      h.wsBase = `ws://127.0.0.1:${addr.port}`;
      return h.wsBase;
    },
    close: () => app.close(),
  };
  return h;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
