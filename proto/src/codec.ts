// Encode/decode of Envelope (agent socket) and bare Alert (feed frames).
// protobufjs does not validate when encoding and decodes whatever parses,
// so both directions run verify() and enforce a size cap; failures are
// WireErrors with FRAME_* codes that the socket maps to close codes.
import type * as protobuf from 'protobufjs';
import { WireError } from './errors';
import { unknownEnum } from './enum-check';
import { messageType } from './schema';
import type { Alert, DeepPartial, Envelope, EnvelopeCase, EnvelopeInit } from './types';

export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number, enums: String, defaults: true, arrays: true, oneofs: true,
};

const ENVELOPE_CASES: ReadonlySet<string> = new Set<EnvelopeCase>([
  'hello', 'heartbeat', 'alert_batch', 'event_batch', 'query_result', 'server_hello', 'ack', 'query_request',
  'action_result', 'action_request', 'exception_set',
]);

function encodeMessage(typeName: string, value: object, maxBytes: number): Uint8Array {
  const type = messageType(typeName);
  // fromObject coerces silently (bad enum names become 0), so check first.
  const badEnum = unknownEnum(type, value);
  if (badEnum) throw new WireError('ENCODE_INVALID', `${typeName}: ${badEnum}`);
  let msg: protobuf.Message;
  try {
    msg = type.fromObject(value as Record<string, unknown>);
  } catch (err) {
    throw new WireError('ENCODE_INVALID', `${typeName}: ${(err as Error).message}`, { cause: err });
  }
  const problem = type.verify(msg);
  if (problem) throw new WireError('ENCODE_INVALID', `${typeName}: ${problem}`);
  const bytes = type.encode(msg).finish();
  if (bytes.length > maxBytes) {
    throw new WireError('FRAME_TOO_LARGE', `${typeName} is ${bytes.length} bytes, cap is ${maxBytes}`);
  }
  return bytes;
}

function decodeMessage(typeName: string, bytes: Uint8Array, maxBytes: number): Record<string, unknown> {
  if (bytes.length > maxBytes) {
    throw new WireError('FRAME_TOO_LARGE', `${bytes.length} bytes, cap is ${maxBytes}`);
  }
  const type = messageType(typeName);
  let msg: protobuf.Message;
  try {
    msg = type.decode(bytes);
  } catch (err) {
    throw new WireError('FRAME_DECODE', `${typeName}: ${(err as Error).message}`, { cause: err });
  }
  const problem = type.verify(msg);
  if (problem) throw new WireError('FRAME_INVALID', `${typeName}: ${problem}`);
  const obj = type.toObject(msg, TO_OBJECT);
  const badEnum = unknownEnum(type, obj);
  if (badEnum) throw new WireError('FRAME_INVALID', `${typeName}: ${badEnum}`);
  return obj;
}

export function encodeEnvelope(env: EnvelopeInit, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  const keys = Object.keys(env).filter((k) => (env as Record<string, unknown>)[k] != null);
  if (keys.length !== 1 || !ENVELOPE_CASES.has(keys[0])) {
    throw new WireError('ENCODE_INVALID', `Envelope needs exactly one payload, got [${keys.join(', ')}]`);
  }
  return encodeMessage('Envelope', env, maxBytes);
}

/** Decodes and verifies one Envelope; one with no known payload is a PROTOCOL_VIOLATION. */
export function decodeEnvelope(bytes: Uint8Array, maxBytes = MAX_FRAME_BYTES): Envelope {
  const obj = decodeMessage('Envelope', bytes, maxBytes);
  const which = obj.payload;
  if (typeof which !== 'string' || !ENVELOPE_CASES.has(which)) {
    throw new WireError('PROTOCOL_VIOLATION', 'Envelope carries no known payload (unknown message type)');
  }
  return obj as unknown as Envelope;
}

/** Bytes one message of `typeName` takes on the wire (for budgets; not validated). */
export function encodedSize(typeName: string, value: object): number {
  const type = messageType(typeName);
  return type.encode(type.fromObject(value as Record<string, unknown>)).finish().length;
}

export function encodeAlert(alert: DeepPartial<Alert>, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  return encodeMessage('Alert', alert, maxBytes);
}

export function decodeAlert(bytes: Uint8Array, maxBytes = MAX_FRAME_BYTES): Alert {
  return decodeMessage('Alert', bytes, maxBytes) as unknown as Alert;
}

/** Normalises any message object to the decoded shape (defaults filled). */
export function normalize<T>(typeName: string, value: object): T {
  const type = messageType(typeName);
  return type.toObject(type.fromObject(value as Record<string, unknown>), TO_OBJECT) as T;
}
