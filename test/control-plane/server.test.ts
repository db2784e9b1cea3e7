import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../control-plane/src/config';
import { startServer, type RunningServer } from '../../control-plane/src/server';

let dir: string | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('server', () => {
  it('listens, serves /healthz, and closes gracefully with open sockets', async () => {
    srv = await startServer(loadConfig({ dbPath: ':memory:', port: 0, logLevel: 'silent', uiDir: '/srv/ui' }), {
      // The dashboard plugs in here; a stand-in route proves the hook runs with the config.
      extend: async (app, config) => { app.get('/plugged', async () => ({ ui: config.uiDir })); },
    });
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${srv.url}/healthz`);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${srv.url}/plugged`)).json()).toEqual({ ui: '/srv/ui' });
    const token = srv.app.vigil.tokens.create('viewer').token;
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/v1/alerts/stream`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const t0 = Date.now();
    await srv.close();
    srv = undefined;
    expect(await closed).toBe(1001);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('serves HTTPS with --tls-cert/--tls-key and fails clearly on unreadable files', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
    srv = await startServer(loadConfig({ dbPath: ':memory:', port: 0, logLevel: 'silent', tlsCert: cert, tlsKey: key }));
    expect(srv.url).toMatch(/^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      get(`${srv!.url}/healthz`, { rejectUnauthorized: false }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(s));
      }).on('error', reject);
    });
    expect(JSON.parse(body).status).toBe('ok');
    await expect(startServer(loadConfig({ dbPath: ':memory:', port: 0, logLevel: 'silent', tlsCert: join(dir, 'nope'), tlsKey: key })))
      .rejects.toMatchObject({ code: 'VIGIL_ERR_TLS_FILES' });
  }, 30_000);
});
