// The control plane's fast path for forwarded events. It does not interpret
// them: it counts them, indexes who ran what, and publishes the frame's
// bytes as they came. So an Envelope holding an EventBatch is scanned, not
// decoded: per event, only whether it is an exec, its timestamp and its
// process.executable are read, and every other field is skipped on the wire.
// Field numbers are those of envelope.proto, batch.proto, event.proto and
// process.proto (test/proto/event-batch-scan.test.ts compares with the codec).
import * as protobuf from 'protobufjs';
import { WireError } from './errors';

const ENVELOPE_EVENT_BATCH = 4;
const BATCH_FIRST_SEQ = 1;
const BATCH_EVENTS = 2;
const EVENT_EXEC = 1;
const EVENT_TIMESTAMP = 100;
const EVENT_PROCESS = 104;
const PROCESS_EXECUTABLE = 4;
const LEN = 2;
const VARINT = 0;

/** What the control plane reads of one forwarded event. */
export interface ScannedEvent { exec: boolean; timestamp: string; executable: string }
export interface ScannedEventBatch { first_seq: number; events: ScannedEvent[] }

const toNumber = (v: number | { toNumber(): number }): number => (typeof v === 'number' ? v : v.toNumber());

function scanProcess(r: protobuf.Reader, end: number): string {
  let executable = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === PROCESS_EXECUTABLE && (tag & 7) === LEN) executable = r.string();
    else r.skipType(tag & 7);
  }
  return executable;
}

function scanEvent(r: protobuf.Reader, end: number): ScannedEvent {
  const ev: ScannedEvent = { exec: false, timestamp: '', executable: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === EVENT_EXEC && wire === LEN) {
      ev.exec = true;
      r.skipType(wire);
    } else if (field === EVENT_TIMESTAMP && wire === LEN) ev.timestamp = r.string();
    else if (field === EVENT_PROCESS && wire === LEN) {
      const len = r.uint32();
      ev.executable = scanProcess(r, r.pos + len);
    } else r.skipType(wire);
  }
  if (r.pos !== end) throw new RangeError('event overruns its length');
  return ev;
}

/**
 * The EventBatch of an Envelope frame, scanned; undefined when the frame
 * holds any other payload (decode it with decodeEnvelope). A malformed
 * frame is a FRAME_DECODE WireError, as from the codec.
 */
export function scanEventBatch(bytes: Uint8Array, maxBytes: number): ScannedEventBatch | undefined {
  if (bytes.length > maxBytes) throw new WireError('FRAME_TOO_LARGE', `${bytes.length} bytes, cap is ${maxBytes}`);
  const r = protobuf.Reader.create(bytes);
  try {
    if (r.len === 0) return undefined;
    const tag = r.uint32();
    if (tag >>> 3 !== ENVELOPE_EVENT_BATCH || (tag & 7) !== LEN) return undefined;
    const end = r.uint32() + r.pos;
    // One payload per Envelope: anything after the batch is the full decoder's to judge.
    if (end !== r.len) return undefined;
    const batch: ScannedEventBatch = { first_seq: 0, events: [] };
    while (r.pos < end) {
      const t = r.uint32();
      const field = t >>> 3;
      const wire = t & 7;
      if (field === BATCH_FIRST_SEQ && wire === VARINT) batch.first_seq = toNumber(r.uint64() as unknown as number | { toNumber(): number });
      else if (field === BATCH_EVENTS && wire === LEN) {
        const len = r.uint32();
        batch.events.push(scanEvent(r, r.pos + len));
      } else r.skipType(wire);
    }
    if (r.pos !== end) throw new RangeError('batch overruns the frame');
    return batch;
  } catch (err) {
    throw new WireError('FRAME_DECODE', `EventBatch: ${(err as Error).message}`, { cause: err });
  }
}
