import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeEvents, decodeRecord, splitRecords } from '../../agent/src/decode/record-decoder';
import type { RawRecord } from '../../agent/src/normalize/types';
import { buildRecord } from './record-builder';
import { EXEC_BODY, HDR } from '../../agent/src/decode/layout';

function decodeAll(payload: Buffer): { recs: RawRecord[]; errs: DecodeError[] } {
  const recs: RawRecord[] = [];
  const errs: DecodeError[] = [];
  decodeEvents(payload, (r) => recs.push(r), (e) => errs.push(e));
  return { recs, errs };
}

const exec = buildRecord({
  type: 1, flags: 1, comm: 'bash',
  hdr: { tgid: 4242, tid: 4243, ppid: 7, uid: 1000, gid: 1001, euid: 0, ts_ns: 123456789012345n, start_boottime: 99n, cgroup_id: 0xffff_ffff_ffffn },
  body: { ret: -2, args_size: 11, exe_ino: 77, exe_nlink: 0 },
  strings: ['/bin/ls', 'ls\0-la\0', '/tmp'],
});

describe('decodeRecord', () => {
  it('decodes the header, the body by C field name and the strings', () => {
    const r = decodeRecord(exec) as RawRecord;
    expect(r).not.toBeInstanceOf(DecodeError);
    expect(r).toMatchObject({
      type: 1, size: exec.length, flags: 1, nstr: 3, tgid: 4242, tid: 4243, ppid: 7, uid: 1000, gid: 1001, euid: 0,
      loginuid: 4294967295, ts_ns: 123456789012345n, start_boottime: 99n, cgroup_id: 0xffff_ffff_ffffn, comm: 'bash',
    });
    expect(r.body).toEqual({ ret: -2, args_size: 11, exe_ino: 77, exe_nlink: 0, respond_rule: 0, respond_action: 0, respond_refused: 0, respond_signalled: 0, respond_ns: 0 });
    expect(r.strings.map((s) => s.toString())).toEqual(['/bin/ls', 'ls\0-la\0', '/tmp']);
  });

  it('reads a 16-byte comm with no NUL, signed 64-bit and array fields', () => {
    const f = decodeRecord(buildRecord({ type: 18, comm: 'abcdefghijklmnop', body: { length: -5n, dirfd: -100 } })) as RawRecord;
    expect(f.comm).toBe('abcdefghijklmnop');
    expect(f.body.length).toBe(-5n);
    expect(f.body.dirfd).toBe(-100);
    const saddr = Buffer.from([127, 0, 0, 1, ...new Array(12).fill(0)]);
    const n = decodeRecord(buildRecord({ type: 30, body: { saddr, dport: 443, family: 2 } })) as RawRecord;
    expect(n.body.saddr).toEqual(saddr);
    expect(n.body.dport).toBe(443);
    const args = Buffer.alloc(48);
    args.writeBigUInt64LE(0xffff_ffff_ffff_ffffn, 0);
    const p = decodeRecord(buildRecord({ type: 40, body: { ret: 0, arg: args } })) as RawRecord;
    expect((p.body.arg as Buffer).readBigInt64LE(0)).toBe(-1n);
    expect('pad0' in p.body).toBe(false);
  });

  it('returns typed errors instead of throwing', () => {
    expect((decodeRecord(exec.subarray(0, 40)) as DecodeError).code).toBe('TRUNCATED');
    expect((decodeRecord(buildRecord({ type: 9 })) as DecodeError).code).toBe('UNKNOWN_TYPE');
    expect((decodeRecord(buildRecord({ type: 60 })) as DecodeError).code).toBe('UNKNOWN_TYPE');
    const manyStrings = Buffer.from(exec);
    manyStrings.writeUInt16LE(9, 6);
    expect((decodeRecord(manyStrings) as DecodeError).code).toBe('BAD_STRINGS');
    const longString = Buffer.from(exec);
    longString.writeUInt16LE(5000, HDR.size + EXEC_BODY.size); // first string's length
    expect((decodeRecord(longString) as DecodeError).code).toBe('TRUNCATED');
    const shortBody = buildRecord({ type: 30 }).subarray(0, 96);
    shortBody.writeUInt16LE(96, 2);
    expect((decodeRecord(shortBody) as DecodeError).code).toBe('TRUNCATED');
  });
});

describe('decodeEvents', () => {
  it('walks several records, stepping to the next 8-byte boundary', () => {
    const exit = buildRecord({ type: 3, body: { exit_code: 7, signal: 0 } });
    // An odd hdr.size: the next record still starts at the aligned offset.
    const odd = buildRecord({ type: 1, strings: ['/x'] });
    odd.writeUInt16LE(odd.length - 3, 2);
    const { recs, errs } = decodeAll(Buffer.concat([exec, odd, exit]));
    expect(errs).toEqual([]);
    expect(recs.map((r) => r.type)).toEqual([1, 1, 3]);
    expect(recs[2].body.exit_code).toBe(7);
  });

  it('keeps records before a truncated one and reports TRUNCATED', () => {
    const payload = Buffer.concat([exec, exec]).subarray(0, exec.length + 50);
    const { recs, errs } = decodeAll(payload);
    expect(recs).toHaveLength(1);
    expect(errs.map((e) => e.code)).toEqual(['TRUNCATED']);
    expect(errs[0].offset).toBe(exec.length);
  });

  it('stops the frame on size 0, size > remaining and oversized records', () => {
    const zero = Buffer.from(exec);
    zero.writeUInt16LE(0, 2);
    expect(decodeAll(Buffer.concat([exec, zero])).errs.map((e) => e.code)).toEqual(['BAD_SIZE']);
    const tooBig = Buffer.from(exec);
    tooBig.writeUInt16LE(exec.length + 64, 2);
    const r = decodeAll(Buffer.concat([tooBig, exec]).subarray(0, exec.length + 40));
    expect(r.errs.map((e) => e.code)).toEqual(['TRUNCATED']);
    const huge = Buffer.alloc(10000);
    exec.copy(huge);
    huge.writeUInt16LE(9000, 2);
    expect(decodeAll(huge).errs.map((e) => e.code)).toEqual(['OVERSIZED']);
  });

  it('skips only the bad record when its size is sane (unknown type)', () => {
    const { recs, errs } = decodeAll(Buffer.concat([buildRecord({ type: 63 }), exec]));
    expect(errs.map((e) => e.code)).toEqual(['UNKNOWN_TYPE']);
    expect(recs.map((r) => r.tgid)).toEqual([4242]);
  });

  it('never throws on random garbage, and reports every failure as a DecodeError', () => {
    for (let i = 0; i < 3000; i++) {
      const junk = randomBytes(1 + (i % 400));
      if (i % 3 === 0 && junk.length >= 8) {
        // Plausible type, size and nstr, so the body and string paths run on junk too.
        junk.writeUInt16LE(1 + (i % 52), 0);
        junk.writeUInt16LE(Math.min(junk.length, 88 + (i % 200)), 2);
        junk.writeUInt16LE(i % 5, 6);
      }
      let errs: DecodeError[] = [];
      expect(() => { errs = decodeAll(junk).errs; }).not.toThrow();
      for (const e of errs) expect(e).toBeInstanceOf(DecodeError);
    }
  });

  it('splitRecords returns record views and the framing error', () => {
    const { records, error } = splitRecords(Buffer.concat([exec, Buffer.alloc(12)]));
    expect(records).toHaveLength(1);
    expect(records[0].equals(exec)).toBe(true);
    expect(error?.code).toBe('TRUNCATED');
  });
});
