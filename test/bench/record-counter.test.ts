// The drain reader counts records by hdr.size without decoding them.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without type declarations
import { countRecords, HDR_BYTES } from '../../bench/lib/record-counter.mjs';

/** A fake record: header-sized or larger, `size` stored at offset 2, padded to 8. */
function record(size: number): Buffer {
  const b = Buffer.alloc((size + 7) & ~7);
  b.writeUInt16LE(1, 0);
  b.writeUInt16LE(size, 2);
  return b;
}

describe('countRecords', () => {
  it('counts back-to-back records with 8-byte padding', () => {
    const payload = Buffer.concat([record(HDR_BYTES), record(HDR_BYTES + 13), record(200)]);
    expect(countRecords(payload)).toEqual({ records: 3, bad: 0 });
  });
  it('flags a record whose size runs past the payload instead of overcounting', () => {
    const payload = Buffer.concat([record(HDR_BYTES), record(300).subarray(0, 120)]);
    expect(countRecords(payload)).toEqual({ records: 1, bad: 1 });
  });
  it('flags a size smaller than the header (corrupt) and stops', () => {
    const bad = record(HDR_BYTES);
    bad.writeUInt16LE(4, 2);
    expect(countRecords(Buffer.concat([bad, record(HDR_BYTES)]))).toEqual({ records: 0, bad: 1 });
  });
});
