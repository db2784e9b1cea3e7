// Runs the control plane: logging options, optional TLS, listen, and a
// graceful close on SIGINT/SIGTERM. The app itself is built by app.ts.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppExtension } from './app';
import type { Config } from './config';
import { VigilError } from './errors';

function loadTls(config: Config): { cert: Buffer; key: Buffer } | undefined {
  if (!config.tlsCert || !config.tlsKey) return undefined;
  try {
    return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  } catch (err) {
    throw new VigilError('TLS_FILES', (err as Error).message, { cause: err });
  }
}

export interface RunningServer { app: FastifyInstance; url: string; close(): Promise<void> }

export async function startServer(
  config: Config, opts: { handleSignals?: boolean; extend?: AppExtension } = {},
): Promise<RunningServer> {
  const https = loadTls(config);
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
  return { app, url, close };
}
