// wss:// to a control plane serving a self-signed certificate: trusted via
// caPath, refused (and retried, never crashing) without it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ControlPlaneClient, TransportConfigError } from '../../agent/src/transport';
import { alertDoc, bearer, createTokens, startControlPlane, tempDir, until, type ControlPlane, type Tokens } from './helpers/control-plane';

let tmp: ReturnType<typeof tempDir>;
let cp: ControlPlane;
let tokens: Tokens;
let certPath: string;
const clients: ControlPlaneClient[] = [];

beforeEach(async () => {
  tmp = tempDir();
  certPath = join(tmp.dir, 'cert.pem');
  const keyPath = join(tmp.dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vigil-test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  cp = await startControlPlane(join(tmp.dir, 'cp.db'), 0, {}, { cert: readFileSync(certPath), key: readFileSync(keyPath) });
  tokens = createTokens(cp.app);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  await cp.close();
  tmp.cleanup();
});

const make = (caPath?: string) => {
  const c = new ControlPlaneClient({
    url: cp.url, token: tokens.agent, outboxPath: join(tmp.dir, 'a.db'), caPath,
    hello: { host_id: 'tls-host' }, backoffInitialMs: 20, backoffMaxMs: 100, flushTimeoutMs: 200,
  });
  clients.push(c);
  return c;
};

it('connects over wss:// with the CA given by caPath and delivers alerts', async () => {
  expect(cp.url).toMatch(/^wss:/);
  const c = make(certPath);
  c.start();
  c.enqueueAlert(alertDoc(1));
  await until(() => c.stats().connected && c.stats().pending === 0, 5000, 'delivered over TLS');
  const res = await cp.app.inject({ url: '/v1/alerts', headers: bearer(tokens.viewer) });
  expect(res.json().alerts.map((a: { host_id: string }) => a.host_id)).toEqual(['tls-host']);
});

it('without the CA the handshake fails and the client keeps retrying', async () => {
  const c = make();
  c.start();
  c.enqueueAlert(alertDoc(1));
  await until(() => c.stats().reconnects >= 2, 5000, 'retries');
  expect(c.stats()).toMatchObject({ connected: false, pending: 1 });
});

it('a missing CA file is a config error at construction', () => {
  expect(() => make(join(tmp.dir, 'nope.pem'))).toThrow(TransportConfigError);
});
