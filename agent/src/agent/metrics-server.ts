// GET /metrics over plain HTTP for Prometheus. Anything else is a 404; a
// failing collect is a 500 with the reason, never a crash.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ListenAddress { host: string; port: number }

/** "127.0.0.1:9464", ":9464" (loopback), "[::1]:9464" -> host and port. */
export function parseListenAddress(value: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`'${value}' is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export function startMetricsServer(registry: Registry, at: ListenAddress): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
