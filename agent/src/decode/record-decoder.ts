// Kernel record bytes -> RawRecord, driven by the tables in layout.ts.
// Never throws on bad input: a bad record becomes a DecodeError value the
// caller counts. A record whose own size is wrong ends its EVENTS frame
// (records carry no sync marker); any other bad record is skipped alone.
import type { RawRecord } from '../normalize/types';
import { CONSTANTS, EVENT_TYPE_BY_CODE, HDR, RECORD_ALIGN, type FieldKind, type StructLayout } from './layout';

export type DecodeErrorCode =
  | 'TRUNCATED'     // fewer bytes than the header, body or a string needs
  | 'BAD_SIZE'      // hdr.size smaller than a header: cannot step over it
  | 'OVERSIZED'     // hdr.size above VIGIL_RECORD_MAX
  | 'UNKNOWN_TYPE'  // hdr.type has no layout (loader newer than collector?)
  | 'BAD_STRINGS';  // hdr.nstr above VIGIL_MAX_STRS

export class DecodeError extends Error {
  constructor(readonly code: DecodeErrorCode, message: string, readonly offset: number) {
    super(`decode: ${code}: ${message} (at byte ${offset})`);
    this.name = 'DecodeError';
  }
}

type BodyValue = number | bigint | Buffer;

// Field readers resolved once per struct, so the hot loop is a plain switch.
const enum K { U8, U16, U32, S32, U64, S64, BYTES }
interface CompiledField { name: string; offset: number; size: number; k: K }

const KIND: Record<FieldKind, K> = {
  u8: K.U8, u16: K.U16, u32: K.U32, s32: K.S32, u64: K.U64, s64: K.S64,
  'char[]': K.BYTES, 'u8[]': K.BYTES, 'u64[]': K.BYTES,
};

const compiled = new Map<StructLayout, CompiledField[]>();

function compile(s: StructLayout): CompiledField[] {
  let c = compiled.get(s);
  if (!c) {
    // pad* fields carry nothing; arrays stay raw bytes (u64[]: read LE per element).
    c = s.fields.filter((fl) => !fl.name.startsWith('pad'))
      .map((fl) => ({ name: fl.name, offset: fl.offset, size: fl.size, k: KIND[fl.kind] }));
    compiled.set(s, c);
  }
  return c;
}

function readBody(buf: Buffer, base: number, fields: CompiledField[]): Record<string, BodyValue> {
  const body: Record<string, BodyValue> = {};
  for (let i = 0; i < fields.length; i++) {
    const fl = fields[i];
    const o = base + fl.offset;
    switch (fl.k) {
      case K.U8: body[fl.name] = buf[o]; break;
      case K.U16: body[fl.name] = buf.readUInt16LE(o); break;
      case K.U32: body[fl.name] = buf.readUInt32LE(o); break;
      case K.S32: body[fl.name] = buf.readInt32LE(o); break;
      case K.U64: body[fl.name] = buf.readBigUInt64LE(o); break;
      case K.S64: body[fl.name] = buf.readBigInt64LE(o); break;
      default: body[fl.name] = buf.subarray(o, o + fl.size);
    }
  }
  return body;
}

const COMM_OFF = 72;
const COMM_LEN = CONSTANTS.VIGIL_COMM_LEN;

function readComm(buf: Buffer, off: number): string {
  const start = off + COMM_OFF;
  let end = start;
  while (end < start + COMM_LEN && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

/** Decode the record at buf[off, end). end is normally off + hdr.size. */
export function decodeRecord(buf: Buffer, off = 0, end = buf.length): RawRecord | DecodeError {
  if (end - off < HDR.size) return new DecodeError('TRUNCATED', `${end - off} bytes, header needs ${HDR.size}`, off);
  const type = buf.readUInt16LE(off);
  const size = buf.readUInt16LE(off + 2);
  const nstr = buf.readUInt16LE(off + 6);
  if (size < HDR.size) return new DecodeError('BAD_SIZE', `hdr.size ${size} is below the header size ${HDR.size}`, off);
  if (size > CONSTANTS.VIGIL_RECORD_MAX) return new DecodeError('OVERSIZED', `hdr.size ${size} exceeds ${CONSTANTS.VIGIL_RECORD_MAX}`, off);
  if (size > end - off) return new DecodeError('TRUNCATED', `hdr.size ${size} but only ${end - off} bytes`, off);
  const et = type < EVENT_TYPE_BY_CODE.length ? EVENT_TYPE_BY_CODE[type] : undefined;
  if (!et) return new DecodeError('UNKNOWN_TYPE', `unknown event type ${type}`, off);
  const recEnd = off + size;
  const bodyOff = off + HDR.size;
  if (bodyOff + et.body.size > recEnd) {
    return new DecodeError('TRUNCATED', `type ${type} body needs ${et.body.size} bytes, record has ${size - HDR.size}`, off);
  }
  if (nstr > CONSTANTS.VIGIL_MAX_STRS) return new DecodeError('BAD_STRINGS', `hdr.nstr ${nstr} exceeds ${CONSTANTS.VIGIL_MAX_STRS}`, off);

  const strings: Buffer[] = new Array(nstr);
  let p = bodyOff + et.body.size;
  for (let i = 0; i < nstr; i++) {
    if (p + 2 > recEnd) return new DecodeError('TRUNCATED', `string ${i} length runs past the record`, off);
    const len = buf.readUInt16LE(p);
    p += 2;
    if (p + len > recEnd) return new DecodeError('TRUNCATED', `string ${i} (${len} bytes) runs past the record`, off);
    strings[i] = buf.subarray(p, p + len);
    p += len;
  }

  return {
    type, size, flags: buf.readUInt16LE(off + 4), nstr,
    ts_ns: buf.readBigUInt64LE(off + 8),
    start_boottime: buf.readBigUInt64LE(off + 16),
    cgroup_id: buf.readBigUInt64LE(off + 24),
    tgid: buf.readUInt32LE(off + 32),
    tid: buf.readUInt32LE(off + 36),
    ppid: buf.readUInt32LE(off + 40),
    uid: buf.readUInt32LE(off + 44),
    gid: buf.readUInt32LE(off + 48),
    euid: buf.readUInt32LE(off + 52),
    loginuid: buf.readUInt32LE(off + 56),
    mnt_ns: buf.readUInt32LE(off + 60),
    pid_ns: buf.readUInt32LE(off + 64),
    comm: readComm(buf, off),
    body: readBody(buf, bodyOff, compile(et.body)),
    strings,
  };
}

const align = (n: number): number => (n + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);

/** Why the record at off cannot be stepped over, or undefined if its size is sane. */
function framingError(payload: Buffer, off: number): DecodeError | undefined {
  const left = payload.length - off;
  if (left < HDR.size) return new DecodeError('TRUNCATED', `${left} trailing bytes, a header needs ${HDR.size}`, off);
  const size = payload.readUInt16LE(off + 2);
  if (size < HDR.size) return new DecodeError('BAD_SIZE', `hdr.size ${size} is below the header size ${HDR.size}`, off);
  if (size > CONSTANTS.VIGIL_RECORD_MAX) return new DecodeError('OVERSIZED', `hdr.size ${size} exceeds ${CONSTANTS.VIGIL_RECORD_MAX}`, off);
  if (size > left) return new DecodeError('TRUNCATED', `hdr.size ${size} but only ${left} bytes left in the frame`, off);
  return undefined;
}

/**
 * Walk an EVENTS frame payload: records back to back, each hdr.size long and
 * starting 8-byte aligned. Returns the number of records decoded.
 */
export function decodeEvents(
  payload: Buffer,
  onRecord: (rec: RawRecord) => void,
  onError: (err: DecodeError) => void,
): number {
  let off = 0;
  let n = 0;
  while (off < payload.length) {
    const bad = framingError(payload, off);
    if (bad) {
      // The size itself is untrustworthy, so the rest of the frame is too.
      onError(bad);
      break;
    }
    const size = payload.readUInt16LE(off + 2);
    const rec = decodeRecord(payload, off, off + size);
    if (rec instanceof DecodeError) onError(rec);
    else {
      onRecord(rec);
      n++;
    }
    off += align(size);
  }
  return n;
}

/** Record boundaries of an EVENTS payload (tests, tools); stops at the first framing error. */
export function splitRecords(payload: Buffer): { records: Buffer[]; error?: DecodeError } {
  const records: Buffer[] = [];
  let off = 0;
  while (off < payload.length) {
    const error = framingError(payload, off);
    if (error) return { records, error };
    const size = payload.readUInt16LE(off + 2);
    records.push(payload.subarray(off, off + size));
    off += align(size);
  }
  return { records };
}
