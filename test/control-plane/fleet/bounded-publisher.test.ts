// The publish cap against a real nats-server: never more than maxPending
// publishes await their ack, every publish gets one, and messages land in
// the stream in call order even when most of them had to wait for a slot.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedPublisher } from '../../../control-plane/src/fleet/bounded-publisher';
import { NatsLink } from '../../../control-plane/src/fleet/nats-link';
import { EVENTS_STREAM } from '../../../control-plane/src/fleet/streams';
import { NatsServer } from '../helpers/nats-server';

describe('BoundedPublisher', () => {
  let nats: NatsServer;
  let link: NatsLink;
  beforeAll(async () => {
    nats = await NatsServer.start();
    link = await NatsLink.open(nats.url, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await link?.close();
    await nats?.stop();
  });

  it('caps publishes awaiting an ack and keeps call order in the stream', async () => {
    const pub = new BoundedPublisher(link, 3);
    let maxSeen = 0;
    const acks = Array.from({ length: 200 }, (_, i) => {
      const p = pub.publish('vigil.events.order', new TextEncoder().encode(String(i)));
      maxSeen = Math.max(maxSeen, pub.pending);
      return p;
    });
    const sampler = setInterval(() => { maxSeen = Math.max(maxSeen, pub.pending); }, 0);
    const results = await Promise.all(acks);
    clearInterval(sampler);
    expect(maxSeen).toBe(3);
    expect(pub.pending).toBe(0);
    const seqs = results.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const bodies: string[] = [];
    for (const seq of seqs) bodies.push(new TextDecoder().decode((await link.jsm.streams.getMessage(EVENTS_STREAM, { seq })).data));
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });
});
