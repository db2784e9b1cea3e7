// Builds kernel-format records from the layout tables, for decoder and
// normalizer unit tests (the real-kernel path is covered by test/e2e).
import { EVENT_TYPE_BY_CODE, HDR, type StructLayout } from '../../agent/src/decode/layout';

export interface RecordSpec {
  type: number;
  flags?: number;
  hdr?: Partial<Record<'ts_ns' | 'start_boottime' | 'cgroup_id', bigint>> &
    Partial<Record<'tgid' | 'tid' | 'ppid' | 'uid' | 'gid' | 'euid' | 'loginuid' | 'mnt_ns' | 'pid_ns', number>>;
  comm?: string;
  body?: Record<string, number | bigint | Buffer>;
  strings?: (string | Buffer)[];
}

function writeStruct(buf: Buffer, base: number, s: StructLayout, values: Record<string, unknown>): void {
  for (const fl of s.fields) {
    const v = values[fl.name];
    if (v === undefined) continue;
    const o = base + fl.offset;
    switch (fl.kind) {
      case 'u8': buf.writeUInt8(v as number, o); break;
      case 'u16': buf.writeUInt16LE(v as number, o); break;
      case 'u32': buf.writeUInt32LE(v as number, o); break;
      case 's32': buf.writeInt32LE(v as number, o); break;
      case 'u64': buf.writeBigUInt64LE(v as bigint, o); break;
      case 's64': buf.writeBigInt64LE(v as bigint, o); break;
      default: (v as Buffer).copy(buf, o, 0, fl.size);
    }
  }
}

/** One record, hdr.size padded to 8 like rec__submit does. */
export function buildRecord(spec: RecordSpec): Buffer {
  const body = EVENT_TYPE_BY_CODE[spec.type]?.body;
  const bodySize = body?.size ?? 0;
  const strs = (spec.strings ?? []).map((s) => (typeof s === 'string' ? Buffer.from(s) : s));
  const raw = HDR.size + bodySize + strs.reduce((n, s) => n + 2 + s.length, 0);
  const size = (raw + 7) & ~7;
  const buf = Buffer.alloc(size);
  const comm = Buffer.alloc(16);
  comm.write(spec.comm ?? 'test', 'utf8');
  writeStruct(buf, 0, HDR, {
    type: spec.type, size, flags: spec.flags ?? 0, nstr: strs.length,
    ts_ns: 1_000_000_000n, start_boottime: 500_000_000n, cgroup_id: 1n,
    tgid: 100, tid: 100, ppid: 1, uid: 0, gid: 0, euid: 0, loginuid: 4294967295, mnt_ns: 4026531840, pid_ns: 4026531836,
    ...spec.hdr, comm,
  });
  if (body) writeStruct(buf, HDR.size, body, spec.body ?? {});
  let p = HDR.size + bodySize;
  for (const s of strs) {
    buf.writeUInt16LE(s.length, p);
    s.copy(buf, p + 2);
    p += 2 + s.length;
  }
  return buf;
}
