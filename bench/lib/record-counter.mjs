// Counts records in an EVENTS frame payload without decoding them: each
// record starts with struct vigil_hdr (bpf/events.h) whose u16 `size` at
// offset 2 is its length, and records are padded to 8 bytes.
export const HDR_BYTES = 88; // sizeof(struct vigil_hdr)

/** { records, bad } for one EVENTS payload; `bad` counts a truncated tail. */
export function countRecords(payload) {
  let records = 0;
  let off = 0;
  while (payload.length - off >= 4) {
    const size = payload.readUInt16LE(off + 2);
    if (size < HDR_BYTES || off + size > payload.length) return { records, bad: 1 };
    records++;
    off += (size + 7) & ~7;
  }
  return { records, bad: off === payload.length ? 0 : 1 };
}
