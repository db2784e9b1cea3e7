// Splits the loader's stdout byte stream into frames (agent/loader/frames.h).
// A bad magic means we lost sync: skip forward to the next magic rather than
// dying, and count it, so one corrupt byte never stops the capture.

export const FRAME_MAGIC = 0x5647;
export const FRAME_HEADER_BYTES = 8;
export const FRAME_MAX_BYTES = 64 * 1024 * 1024;

export enum FrameKind {
  Events = 1,
  Stats = 2,
  Ready = 3,
}

export interface Frame {
  kind: number;
  payload: Buffer;
}

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes skipped to regain sync after corrupt input. */
  resyncedBytes = 0;
  /** Frames whose declared length exceeded FRAME_MAX_BYTES. */
  oversized = 0;

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    let off = 0;
    while (this.buf.length - off >= FRAME_HEADER_BYTES) {
      const magic = this.buf.readUInt16LE(off);
      const len = this.buf.readUInt32LE(off + 4);
      if (magic !== FRAME_MAGIC || len > FRAME_MAX_BYTES) {
        if (magic === FRAME_MAGIC) this.oversized++;
        off++;
        this.resyncedBytes++;
        continue;
      }
      if (this.buf.length - off - FRAME_HEADER_BYTES < len) break;
      const kind = this.buf.readUInt16LE(off + 2);
      frames.push({ kind, payload: this.buf.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len) });
      off += FRAME_HEADER_BYTES + len;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}
