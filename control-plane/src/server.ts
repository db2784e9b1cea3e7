// Runs the control plane: logging options, optional TLS, listen, and a
// graceful close on SIGINT/SIGTERM. The app itself is built by app.ts.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppExtension } from './app';
import type { Config } from './config';
import { VigilError } from './errors';
import { ensureGeneratedTls, isLoopback, type GeneratedTls } from './tls/generated-tls';

/** The TLS material to serve: given files, else generated ones off loopback (tlsMode auto), else none. */
export function resolveTls(config: Config): { certPath: string; keyPath: string; generated?: GeneratedTls } | undefined {
  if (config.tlsCert && config.tlsKey) return { certPath: config.tlsCert, keyPath: config.tlsKey };
  if (config.tlsMode === 'off' || isLoopback(config.host)) return undefined;
  const dir = config.tlsDir ?? (config.dbPath === ':memory:' ? undefined : `${config.dbPath}.tls`);
  if (!dir) throw new VigilError('CONFIG_INVALID', 'listening off loopback needs TLS: pass --tls-cert/--tls-key, a --db file (certificates are generated next to it), or --insecure-plaintext');
  const generated = ensureGeneratedTls(dir, config.host);
  return { certPath: generated.certPath, keyPath: generated.keyPath, generated };
}

function loadTls(files: { certPath: string; keyPath: string } | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!files) return undefined;
  try {
    return { cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) };
  } catch (err) {
    throw new VigilError('TLS_FILES', (err as Error).message, { cause: err });
  }
}

export interface RunningServer { app: FastifyInstance; url: string; tls?: GeneratedTls; close(): Promise<void> }

export async function startServer(
  config: Config, opts: { handleSignals?: boolean; extend?: AppExtension } = {},
): Promise<RunningServer> {
  const files = resolveTls(config);
  const https = loadTls(files);
  const app = await buildApp(config, {
    defaultMetrics: true,
    extend: opts.extend,
    fastify: {
      logger: {
        level: config.logLevel,
        redact: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]'],
        // The token query parameter of socket URLs must not reach the log.
        serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/([?&]token=)[^&]*/, '$1[redacted]') }) },
      },
      ...(https ? { https } : {}),
      forceCloseConnections: true,
    },
  });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `${https ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  app.log.info({ url, db: config.dbPath, tls: Boolean(https) }, 'control plane listening');
  const g = files?.generated;
  if (g) {
    const how = g.created ? 'generated a CA and a server certificate' : 'serving the certificate generated earlier';
    app.log.warn({ ca: g.caPath, ca_sha256: g.caFingerprint }, `TLS: ${how}; give agents --ca ${g.caPath} (check its SHA-256 fingerprint)`);
  }

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close().then(() => undefined));
  if (opts.handleSignals) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        app.log.info({ signal: sig }, 'shutting down');
        void close().then(() => process.exit(0));
      });
    }
  }
  return { app, url, tls: g, close };
}
