// --nats at the edge: a malformed URL is a config error, an unreachable
// server fails start-up with an actionable error, and no --nats builds no
// fleet at all (the embedded default needs no NATS).
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../control-plane/src/app';
import { loadConfig } from '../../../control-plane/src/config';
import { freePort } from '../helpers/nats-server';
import { makeHarness } from '../helpers/harness';

describe('--nats config', () => {
  it('accepts nats:// URLs (several comma-separated) and rejects anything else with CONFIG_INVALID', () => {
    expect(loadConfig({ natsUrl: 'nats://127.0.0.1:4222' }).natsUrl).toBe('nats://127.0.0.1:4222');
    expect(loadConfig({ natsUrl: 'nats://a:4222,nats://b:4222' }).natsMaxPending).toBe(4096);
    for (const bad of ['127.0.0.1:4222', 'http://x:4222', 'nats://a b:1', 'nats://a:1,']) {
      expect(() => loadConfig({ natsUrl: bad })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG_INVALID', message: expect.stringContaining('--nats must be') }));
    }
    expect(() => loadConfig({ natsMaxPending: 0 })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG_INVALID' }));
  });

  it('an unreachable server fails start-up with VIGIL_ERR_NATS_UNAVAILABLE naming the URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const err = await buildApp(loadConfig({ dbPath: ':memory:', logLevel: 'silent', natsUrl: url }), { healthMonitor: false })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'VIGIL_ERR_NATS_UNAVAILABLE', message: expect.stringContaining(url) });
  });

  it('without --nats there is no fleet and /healthz says nothing about NATS', async () => {
    const h = await makeHarness();
    try {
      expect(h.app.vigil.fleet).toBeUndefined();
      const res = await h.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', agents_connected: 0 });
    } finally {
      await h.close();
    }
  });
});
