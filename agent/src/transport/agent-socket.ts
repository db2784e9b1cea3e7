// One WebSocket to /v1/agent: bearer auth, optional private CA for wss://,
// a frame-size cap, and decode+verify of every incoming frame. Anything the
// codec rejects is reported as a bad frame (the client recycles the
// connection); nothing here throws into the event loop.
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { isWireError } from '../../../proto/src/errors';
import type { Envelope, EnvelopeInit } from '../../../proto/src';
import { decodeEnvelope, encodeEnvelope } from '../../../proto/src';

export interface AgentSocketOptions {
  url: string;
  token: string;
  ca?: Buffer;
  maxFrameBytes: number;
  handshakeTimeoutMs?: number;
  log: Logger;
}

export interface AgentSocketHandlers {
  onOpen(): void;
  onEnvelope(env: Envelope): void;
  onBadFrame(reason: string): void;
  onClose(code: number, reason: string): void;
}

export class AgentSocket {
  private readonly ws: WebSocket;
  /** Last time anything (frame or pong) arrived. */
  lastSeen = Date.now();
  private closed = false;

  constructor(private readonly opts: AgentSocketOptions, private readonly h: AgentSocketHandlers) {
    this.ws = new WebSocket(opts.url, {
      headers: { authorization: `Bearer ${opts.token}` },
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    this.ws.on('open', () => { this.lastSeen = Date.now(); this.h.onOpen(); });
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.ws.on('pong', () => { this.lastSeen = Date.now(); });
    this.ws.on('unexpected-response', (_req, res) => {
      opts.log.warn({ status: res.statusCode }, 'control plane refused the WebSocket upgrade; check the --control-plane URL (path /v1/agent)');
      this.ws.terminate();
    });
    // ws closes after every error it reports (refused, TLS, 1009 too big...): handled in 'close'.
    this.ws.on('error', (err) => opts.log.debug({ err: err.message }, 'control plane socket error'));
    this.ws.on('close', (code, reason) => {
      if (this.closed) return;
      this.closed = true;
      this.h.onClose(code, reason.toString('utf8'));
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.lastSeen = Date.now();
    if (!isBinary) return this.h.onBadFrame('text frame from the control plane; expected binary protobuf Envelopes');
    let env: Envelope;
    try {
      env = decodeEnvelope(data, this.opts.maxFrameBytes);
    } catch (err) {
      return this.h.onBadFrame(isWireError(err) ? err.message : `undecodable frame: ${(err as Error).message}`);
    }
    this.h.onEnvelope(env);
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Encodes and sends; false (logged) when the socket is not open or the message cannot be encoded. */
  send(env: EnvelopeInit): boolean {
    if (!this.open) return false;
    let bytes: Uint8Array;
    try {
      bytes = encodeEnvelope(env, this.opts.maxFrameBytes);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, payload: Object.keys(env)[0] }, 'cannot encode message for the control plane');
      return false;
    }
    this.ws.send(bytes);
    return true;
  }

  ping(): void {
    if (this.open) this.ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) return this.ws.terminate();
    this.ws.close(code, reason.slice(0, 120));
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Resolves once the socket is closed (terminating it after `graceMs`). */
  closed$(graceMs: number): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.ws.terminate(); resolve(); }, graceMs);
      this.ws.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }
}
