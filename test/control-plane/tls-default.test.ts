// TLS by default off loopback: a control plane listening on 0.0.0.0 without
// a certificate generates a CA and a server certificate once, serves HTTPS
// and WSS with it, reuses it on restart, and refuses plaintext clients.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../control-plane/src/config';
import { startServer, type RunningServer } from '../../control-plane/src/server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const servers: RunningServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function start(input: Record<string, unknown>): Promise<RunningServer> {
  const s = await startServer(loadConfig({ port: 0, logLevel: 'silent', ...input }));
  servers.push(s);
  return s;
}
const portOf = (s: RunningServer) => (s.app.server.address() as { port: number }).port;

function httpsGet(port: number, ca: Buffer | undefined, path = '/healthz'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS by default off loopback', () => {
  it('generates a CA once, serves HTTPS that verifies against it, and reuses it on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
    const first = await start({ host: '0.0.0.0', dbPath: join(dir, 'cp.db') });
    expect(first.url).toMatch(/^https:\/\//);
    expect(first.tls?.created).toBe(true);
    const ca = readFileSync(first.tls!.caPath);
    const fp = execFileSync('openssl', ['x509', '-in', first.tls!.caPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(fp.trim().split('=')[1]).toBe(first.tls!.caFingerprint);
    expect(await httpsGet(portOf(first), ca)).toBe(200);
    // Without the CA the certificate does not verify; plain HTTP gets no answer it can use.
    await expect(httpsGet(portOf(first), undefined)).rejects.toThrow(/self.signed|unable to (get|verify)/i);
    const plain = await fetch(`http://127.0.0.1:${portOf(first)}/healthz`).then((r) => r.status, (e: Error) => e.message);
    expect(plain).not.toBe(200);
    await first.close();
    servers.length = 0;

    const second = await start({ host: '0.0.0.0', dbPath: join(dir, 'cp.db') });
    expect(second.tls).toMatchObject({ created: false, caFingerprint: first.tls!.caFingerprint });
    expect(await httpsGet(portOf(second), ca)).toBe(200);
    // The private keys are root-only.
    expect((execFileSync('stat', ['-c', '%a', join(dir, 'cp.db.tls', 'server.key')], { encoding: 'utf8' })).trim()).toBe('600');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('loopback stays plain; --insecure-plaintext opts out; an in-memory db off loopback is a clear config error', async () => {
    const lo = await start({ host: '127.0.0.1', dbPath: ':memory:' });
    expect(lo.url).toMatch(/^http:\/\//);
    expect(lo.tls).toBeUndefined();
    const off = await start({ host: '0.0.0.0', dbPath: ':memory:', tlsMode: 'off' });
    expect(off.url).toMatch(/^http:\/\//);
    expect((await fetch(`http://127.0.0.1:${portOf(off)}/healthz`)).status).toBe(200);
    await expect(start({ host: '0.0.0.0', dbPath: ':memory:' })).rejects.toThrow(/needs TLS: pass --tls-cert/);
  });
});
