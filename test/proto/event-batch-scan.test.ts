// The control plane's scan of forwarded event batches reads what the full
// decoder reads, on real recorded events, and turns a malformed frame into
// the codec's FRAME_DECODE error instead of a crash.
import { describe, expect, it } from 'vitest';
import { recordedEvents } from '../fixtures/recorded-events';
import { MAX_FRAME_BYTES, decodeEnvelope, encodeEnvelope, eventToProto, isWireError, scanEventBatch } from '../../proto/src';


describe('scanEventBatch', () => {
  it('reads first_seq, and per event exec, timestamp and executable exactly as the full decoder does', () => {
    const events = recordedEvents();
    const bytes = encodeEnvelope({ event_batch: { first_seq: 2 ** 40, events: events.map(eventToProto) } });
    const full = decodeEnvelope(bytes);
    if (full.payload !== 'event_batch') throw new Error(full.payload);
    const scan = scanEventBatch(bytes, MAX_FRAME_BYTES)!;
    expect(scan.first_seq).toBe(2 ** 40);
    expect(scan.events).toEqual(full.event_batch.events.map((e) => ({ exec: e.action === 'exec', timestamp: e.timestamp, executable: e.process?.executable ?? '' })));
    expect(scan.events.filter((e) => e.exec).length).toBe(events.filter((e) => e.event.action === 'exec').length);
    expect(scan.events.filter((e) => e.exec).length).toBeGreaterThan(0);
  });

  it('leaves every other payload to the full decoder', () => {
    expect(scanEventBatch(encodeEnvelope({ heartbeat: { events: 1 } }), MAX_FRAME_BYTES)).toBeUndefined();
    expect(scanEventBatch(encodeEnvelope({ alert_batch: { first_seq: 1, alerts: [{ id: 'a' }] } }), MAX_FRAME_BYTES)).toBeUndefined();
    expect(scanEventBatch(new Uint8Array(), MAX_FRAME_BYTES)).toBeUndefined();
  });

  it('a truncated or garbled batch is FRAME_DECODE; an oversized one FRAME_TOO_LARGE', () => {
    const bytes = encodeEnvelope({ event_batch: { first_seq: 1, events: [eventToProto({ event: { action: 'exec' }, process: { executable: '/bin/sh' } })] } });
    for (const bad of [bytes.subarray(0, bytes.length - 3), Uint8Array.from([0x22, 0x05, 0x12, 0x10, 0x0a, 0x01, 0x00])]) {
      let caught: unknown;
      // A frame shorter than its batch is not scanned: the full decoder refuses it.
      try { scanEventBatch(bad, MAX_FRAME_BYTES) ?? decodeEnvelope(bad); } catch (err) { caught = err; }
      expect(isWireError(caught, 'FRAME_DECODE')).toBe(true);
    }
    expect(() => scanEventBatch(bytes, 4)).toThrow(/cap is 4/);
  });
});
