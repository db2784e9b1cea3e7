// TLS by default off loopback: when the control plane listens on anything
// but loopback without --tls-cert/--tls-key, it makes (once) a private CA
// and a server certificate signed by it, with the listen address and the
// hostname as names, and reuses them on every later start. Agents pin the
// CA (`vigil agent --ca ca.pem`); the CA's SHA-256 fingerprint is printed so
// an operator can check the file they copy. Generated with Debian's openssl
// binary: Node can make keys but not X.509 certificates.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { VigilError } from '../errors';

export interface GeneratedTls {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  /** SHA-256 of the CA certificate, colon-separated hex. */
  caFingerprint: string;
  /** True when this call made them (first start). */
  created: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new VigilError('TLS_FILES', `generating a certificate with openssl failed (${detail}); install openssl or pass --tls-cert/--tls-key`, { cause: err });
  }
}

/** Names the server certificate answers to: the listen address (if specific), this hostname, loopback. */
export function serverNames(listenHost: string): string[] {
  const names = new Set<string>(['DNS:localhost', 'IP:127.0.0.1', `DNS:${hostname()}`]);
  if (listenHost && listenHost !== '0.0.0.0' && listenHost !== '::') names.add(isIP(listenHost) ? `IP:${listenHost}` : `DNS:${listenHost}`);
  return [...names];
}

export function ensureGeneratedTls(dir: string, listenHost: string): GeneratedTls {
  const caPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server.key');
  let created = false;
  if (!existsSync(caPath) || !existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Vigil control plane CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${hostname()}`], dir);
    writeFileSync(join(dir, 'server.ext'), `subjectAltName=${serverNames(listenHost).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
      '-days', '825', '-extfile', 'server.ext'], dir);
    for (const f of ['ca.key', 'server.key']) chmodSync(join(dir, f), 0o600);
    created = true;
  }
  const caFingerprint = new X509Certificate(readFileSync(caPath)).fingerprint256;
  return { dir, caPath, certPath, keyPath, caFingerprint, created };
}
