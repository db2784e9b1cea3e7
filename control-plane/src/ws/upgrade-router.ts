// Routes HTTP upgrades on the fastify server to the two WebSocket
// endpoints (ws in noServer mode). Auth happens here: a bad token still
// completes the handshake and is then closed with 4401/4403 and a reason,
// because browsers cannot read the status of a refused upgrade.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { AgentSession, type AgentSessionDeps } from '../agents/agent-session';
import { authorize, BEARER_SUBPROTOCOL_PREFIX, tokenFromUpgrade } from '../auth/authenticate';
import type { Access } from '../auth/roles';
import { isVigilError } from '../errors';
import type { FeedDeps, FeedEncoding } from '../feeds/feed-subscriber';
import { FeedSubscriber } from '../feeds/feed-subscriber';
import { parseFeedParams } from '../feeds/feed-filter';
import type { TokenStore } from '../store/token-store';
import { CLOSE, closeReason } from '../../../proto/src/close-codes';

export const AGENT_PATH = '/v1/agent';
export const STREAM_PATH = '/v1/alerts/stream';
export const PROTOBUF_SUBPROTOCOL = 'vigil.v1.protobuf';
export const JSON_SUBPROTOCOL = 'vigil.v1.json';

export interface UpgradeDeps { tokens: TokenStore; agent: AgentSessionDeps; feed: FeedDeps; log: Logger }

/** Picks the subprotocol to echo: encoding first, then whatever the client offered (a bearer one). */
function pickProtocol(offered: Set<string>): string | false {
  if (offered.has(PROTOBUF_SUBPROTOCOL)) return PROTOBUF_SUBPROTOCOL;
  if (offered.has(JSON_SUBPROTOCOL)) return JSON_SUBPROTOCOL;
  const first = offered.values().next();
  return first.done ? false : first.value;
}

const CLOSE_GRACE_MS = 500;

export function attachUpgradeRouter(server: Server, deps: UpgradeDeps): { close(): Promise<void> } {
  const common = { noServer: true, perMessageDeflate: false, handleProtocols: pickProtocol } as const;
  const agentWss = new WebSocketServer({ ...common, maxPayload: deps.agent.config.maxFrameBytes });
  const feedWss = new WebSocketServer({ ...common, maxPayload: 64 * 1024 });

  // Sockets by the token that opened them: revoking a token closes its live sessions at once.
  const byToken = new Map<string, Set<WebSocket>>();
  deps.tokens.onRevoked((id) => {
    for (const ws of byToken.get(id) ?? []) ws.close(CLOSE.UNAUTHENTICATED, closeReason('token revoked; create a new one with `vigil token create`'));
    byToken.delete(id);
  });

  const admit = (ws: WebSocket, req: IncomingMessage, url: URL, access: Access): string | undefined => {
    const auth = authorize(deps.tokens, tokenFromUpgrade(req.headers, url), access);
    if (auth.ok) {
      const id = auth.token.id;
      const set = byToken.get(id) ?? new Set<WebSocket>();
      set.add(ws);
      byToken.set(id, set);
      ws.once('close', () => {
        set.delete(ws);
        if (set.size === 0 && byToken.get(id) === set) byToken.delete(id);
      });
      return id;
    }
    deps.log.warn({ path: url.pathname, status: auth.status, remote: req.socket.remoteAddress }, 'websocket auth refused');
    ws.close(auth.status === 401 ? CLOSE.UNAUTHENTICATED : CLOSE.FORBIDDEN, closeReason(auth.message));
    return undefined;
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => deps.log.debug({ err: err.message }, 'upgrade socket error'));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    if (url.pathname === AGENT_PATH) {
      agentWss.handleUpgrade(req, socket, head, (ws) => {
        const tokenId = admit(ws, req, url, 'agentSocket');
        if (tokenId) new AgentSession(ws, deps.agent, req.socket.remoteAddress ?? '?', tokenId);
      });
    } else if (url.pathname === STREAM_PATH) {
      feedWss.handleUpgrade(req, socket, head, (ws) => {
        if (admit(ws, req, url, 'read') === undefined) return;
        try {
          const params = parseFeedParams(url.searchParams);
          const encoding: FeedEncoding = ws.protocol === PROTOBUF_SUBPROTOCOL ? 'protobuf' : 'json';
          new FeedSubscriber(ws, params, encoding, deps.feed);
        } catch (err) {
          const msg = isVigilError(err) ? err.message : 'cannot start feed';
          if (!isVigilError(err)) deps.log.error({ err }, 'feed start failed');
          ws.close(isVigilError(err) ? CLOSE.BAD_FRAME : CLOSE.INTERNAL, closeReason(msg));
        }
      });
    } else {
      refuse(socket, 404, 'Not Found');
    }
  };
  server.on('upgrade', onUpgrade);

  return {
    /** Sends 1001 to every client, waits briefly for the close handshake, then terminates. */
    async close() {
      server.off('upgrade', onUpgrade);
      const clients = [...agentWss.clients, ...feedWss.clients];
      await Promise.all(clients.map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => { ws.terminate(); resolve(); }, CLOSE_GRACE_MS);
        ws.once('close', () => { clearTimeout(timer); resolve(); });
        ws.close(CLOSE.GOING_AWAY, 'control plane shutting down');
      })));
      agentWss.close();
      feedWss.close();
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export { BEARER_SUBPROTOCOL_PREFIX };
