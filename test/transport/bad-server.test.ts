// A misbehaving control plane (a bare ws server): invalid, oversized and
// out-of-order frames recycle the connection; the client reconnects and
// never crashes. Also: the bearer token and /v1/agent path are used.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../proto/src';
import { ControlPlaneClient } from '../../agent/src/transport';
import { tempDir, until } from './helpers/control-plane';

type Behaviour = (ws: WebSocket, first: Envelope) => void;

let wss: WebSocketServer;
let tmp: ReturnType<typeof tempDir>;
let c: ControlPlaneClient | undefined;
const conns: Array<{ url: string; auth: string | undefined; closed?: number }> = [];
let behaviours: Behaviour[] = [];

const serverHello = (ws: WebSocket, seq = 0) => ws.send(encodeEnvelope({ server_hello: { alert_seq: seq, heartbeat_interval_ms: 10_000, server_version: 'fake' } }));

beforeEach(async () => {
  tmp = tempDir();
  conns.length = 0;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws, req) => {
    const rec: (typeof conns)[number] = { url: req.url ?? '', auth: req.headers.authorization };
    const behave = behaviours[conns.length] ?? ((s: WebSocket) => serverHello(s));
    conns.push(rec);
    ws.on('close', (code) => { rec.closed = code; });
    ws.once('message', (data) => behave(ws, decodeEnvelope(data as Buffer)));
  });
});

afterEach(async () => {
  await c?.stop();
  c = undefined;
  for (const ws of wss.clients) ws.terminate();
  await new Promise((r) => wss.close(r));
  tmp.cleanup();
});

function start(maxFrameBytes?: number): ControlPlaneClient {
  const { port } = wss.address() as AddressInfo;
  c = new ControlPlaneClient({
    url: `ws://127.0.0.1:${port}`, token: 'tok-123', outboxPath: join(tmp.dir, 'a.db'),
    hello: { host_id: 'h1' }, backoffInitialMs: 10, backoffMaxMs: 50, maxFrameBytes,
  });
  c.start();
  return c;
}

describe('ControlPlaneClient against a misbehaving server', () => {
  it('connects to /v1/agent with the bearer token and sends AgentHello first', async () => {
    let first: Envelope | undefined;
    behaviours = [(ws, env) => { first = env; serverHello(ws); }];
    const client = start();
    await until(() => client.stats().connected, 3000, 'connected');
    expect(conns[0]).toMatchObject({ url: '/v1/agent', auth: 'Bearer tok-123' });
    expect(first).toMatchObject({ payload: 'hello', hello: { host_id: 'h1', capabilities: expect.arrayContaining(['CAPABILITY_QUERY']) } });
  });

  const cases: Array<[string, Behaviour, number | undefined]> = [
    ['garbage bytes', (ws) => ws.send(Buffer.from([0xff, 0xff, 0xff, 0x01])), 4400],
    ['a text frame', (ws) => ws.send('hello'), 4400],
    ['an unknown message type', (ws) => ws.send(Buffer.from([0x98, 0x06, 0x01])), 4400],
    ['an Ack before ServerHello', (ws) => ws.send(encodeEnvelope({ ack: { stream: 'ACK_STREAM_ALERTS', seq: 1 } })), 4409],
    ['an agent-only message', (ws) => { serverHello(ws); ws.send(encodeEnvelope({ heartbeat: {} })); }, 4409],
    ['a frame over maxFrameBytes', (ws) => ws.send(Buffer.alloc(4096, 1)), 1009],
  ];
  for (const [name, behave, code] of cases) {
    it(`recycles the connection on ${name} and reconnects`, async () => {
      behaviours = [behave];
      const client = start(2048);
      await until(() => conns.length >= 2 && client.stats().connected, 5000, 'reconnected');
      expect(conns[0].closed).toBe(code);
      expect(client.stats().reconnects).toBeGreaterThanOrEqual(1);
    });
  }

  it('keeps retrying with backoff while the server refuses, then delivers the queued alert', async () => {
    const refuse: Behaviour = (ws) => ws.close(4401, 'unknown token');
    const batches: Envelope[] = [];
    behaviours = [refuse, refuse, (ws) => {
      serverHello(ws);
      ws.on('message', (d) => {
        const env = decodeEnvelope(d as Buffer);
        if (env.payload === 'alert_batch') {
          batches.push(env);
          ws.send(encodeEnvelope({ ack: { stream: 'ACK_STREAM_ALERTS', seq: env.alert_batch.alerts.at(-1)!.seq } }));
        }
      });
    }];
    const client = start();
    expect(client.enqueueAlert({ rule: { id: 'r1' } })).toBe(1);
    await until(() => client.stats().pending === 0, 5000, 'delivered');
    expect(conns.length).toBe(3);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ alert_batch: { first_seq: 1, alerts: [{ seq: 1, rule_id: 'r1' }] } });
  });

  it('ignores an ack beyond what it sent and resends unacked rows after a reconnect', async () => {
    const got: number[][] = [];
    const record = (ws: WebSocket, ackWith?: number) => ws.on('message', (d) => {
      const env = decodeEnvelope(d as Buffer);
      if (env.payload !== 'alert_batch') return;
      got.push(env.alert_batch.alerts.map((a) => a.seq));
      if (ackWith !== undefined) ws.send(encodeEnvelope({ ack: { stream: 'ACK_STREAM_ALERTS', seq: ackWith } }));
      else ws.close(1011, 'crash before ack');
    });
    // 1st connection: stores nothing and drops; 2nd: ServerHello says 0, acks everything.
    behaviours = [(ws) => { serverHello(ws); record(ws); }, (ws) => { serverHello(ws); record(ws, 99); }];
    const client = start();
    client.enqueueAlert({ rule: { id: 'a' } });
    client.enqueueAlert({ rule: { id: 'b' } });
    await until(() => client.stats().pending === 0, 5000, 'delivered after reconnect');
    expect(got).toEqual([[1, 2], [1, 2]]);
    expect(client.enqueueAlert({ rule: { id: 'c' } })).toBe(3);
  });
});
