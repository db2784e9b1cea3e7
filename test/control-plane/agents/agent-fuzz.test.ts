// Thousands of malformed, oversized and random frames on /v1/agent; the
// server keeps answering and a well-behaved agent still gets acks.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, encodeEnvelope } from '../../../proto/src';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { makeHarness, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

// Deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('agent socket fuzz', () => {
  it('survives ~3000 bad frames across many connections', async () => {
    h = await makeHarness({ maxFrameBytes: 64 * 1024 });
    const base = await h.listen();
    const rand = rng(42);
    const hello = encodeEnvelope({ hello: { host_id: 'fuzz-host', protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor } });
    const valid = encodeEnvelope({ alert_batch: { first_seq: 1, alerts: [sampleAlert(1)] } });
    const mutate = (b: Uint8Array): Buffer => {
      const out = Buffer.from(b);
      for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
      return rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out;
    };
    const frame = (): Buffer | string => {
      const r = rand();
      if (r < 0.35) return randomBytes(1 + Math.floor(rand() * 512));
      if (r < 0.6) return mutate(valid);
      if (r < 0.75) return mutate(hello);
      if (r < 0.8) return Buffer.alloc(64 * 1024 + 1 + Math.floor(rand() * 1000), 0x0a); // over maxPayload
      if (r < 0.85) return 'not protobuf';
      if (r < 0.9) return Buffer.from([0x98, 0x06, 0x01]); // unknown message type
      return Buffer.alloc(0);
    };

    let sent = 0;
    const codes = new Map<number, number>();
    // One connection: the frames in order, then (if a mutated frame happened
    // to be valid and the socket is still open) a text frame, which must close it.
    const session = async (frames: Array<Uint8Array | string>) => {
      const s = new TestSocket(`${base}/v1/agent`, { token: h.tokens.agent });
      await s.opened();
      for (const f of frames) {
        if (s.ws.readyState !== s.ws.OPEN) break;
        s.ws.send(f);
        sent++;
      }
      await new Promise((r) => setTimeout(r, 5));
      if (!s.closed && s.ws.readyState === s.ws.OPEN) {
        s.ws.send('not protobuf');
      }
      const closed = await s.waitClosed(5000).catch(() => { s.ws.terminate(); return { code: -1, reason: '' }; });
      codes.set(closed.code, (codes.get(closed.code) ?? 0) + 1);
    };
    // Long sessions: optionally a hello, then up to 50 random frames.
    for (let c = 0; c < 60; c += 10) {
      await Promise.all(Array.from({ length: 10 }, () =>
        session([...(rand() < 0.5 ? [hello] : []), ...Array.from({ length: 50 }, frame)])));
    }
    // Short sessions: each closes at its first bad frame, so most frames need a connection of their own.
    for (let i = 0; i < 2500; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => session(rand() < 0.5 ? [hello, frame()] : [frame()])));
    }
    expect(sent).toBeGreaterThanOrEqual(2500);
    // Every bad connection got a specific close code; no hangs (-1).
    expect(codes.get(-1)).toBeUndefined();
    for (const code of codes.keys()) expect([1009, 4400, 4409, 4410]).toContain(code); // 4410: parallel sessions share fuzz-host
    expect(codes.get(4400)).toBeGreaterThan(0);
    expect(codes.get(1009)).toBeGreaterThan(0);
    expect(codes.get(4409)).toBeGreaterThan(0);

    expect((await h.app.inject({ url: '/healthz' })).json().status).toBe('ok');
    const good = await FakeAgent.connect(base, h.agentToken('good-host'), { host_id: 'good-host' });
    good.sendAlerts(1, [sampleAlert(1), sampleAlert(2)]);
    expect((await good.waitFor('ack')).ack).toEqual({ stream: 'ACK_STREAM_ALERTS', seq: 2 });
    expect(h.app.vigil.alerts.page({ host: 'good-host' }, { order: 'asc', limit: 10 })).toHaveLength(2);
  }, 120_000);
});
