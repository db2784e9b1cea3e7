// Keeps agent/loader/frames.h (the loader -> collector stream) and its
// TypeScript readers in step, by compiling the header: frame magic, header
// layout, frame kinds (frame-reader.ts) and loader exit codes
// (loader-exit.ts). A new kind or exit code on either side fails here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, FrameKind } from '../../agent/src/decode/frame-reader';
import { LOADER_EXIT_MESSAGES } from '../../agent/src/agent/loader-exit';

const ROOT = resolve(__dirname, '../..');
const HEADER = join(ROOT, 'agent/loader/frames.h');

/** NAME = value pairs of one enum in frames.h, via the preprocessor. */
function enumMembers(name: string): string[] {
  const src = execFileSync('cc', ['-E', '-P', '-x', 'c', HEADER], { encoding: 'utf8' });
  const body = new RegExp(`enum ${name}\\s*\\{([^}]*)\\}`).exec(src)![1];
  return [...body.matchAll(/([A-Z0-9_]+)\s*=/g)].map((m) => m[1]);
}

describe('frame-reader.ts and loader-exit.ts mirror agent/loader/frames.h', () => {
  let dir: string;
  let c: Record<string, number>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-frames-'));
    const names = [...enumMembers('vigil_frame_kind'), ...enumMembers('vigil_exit')];
    writeFileSync(join(dir, 'frames.c'), [
      '#include <stddef.h>',
      '#include <stdio.h>',
      '#include "frames.h"',
      'int main(void) {',
      '  printf("MAGIC %d\\n", VIGIL_FRAME_MAGIC);',
      '  printf("HDR_SIZE %zu\\n", sizeof(struct vigil_frame_hdr));',
      '  printf("OFF_MAGIC %zu\\nOFF_KIND %zu\\nOFF_LEN %zu\\n", offsetof(struct vigil_frame_hdr, magic), offsetof(struct vigil_frame_hdr, kind), offsetof(struct vigil_frame_hdr, len));',
      ...names.map((n) => `  printf("${n} %d\\n", (int)${n});`),
      '  return 0;',
      '}',
    ].join('\n'));
    execFileSync('cc', ['-std=c11', '-Wall', '-Werror', `-I${ROOT}/agent/loader`, '-o', join(dir, 'frames'), join(dir, 'frames.c')]);
    const out = execFileSync(join(dir, 'frames'), { encoding: 'utf8' });
    c = Object.fromEntries(out.trim().split('\n').map((l) => { const [k, v] = l.split(' '); return [k, Number(v)]; }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the same magic and header layout (u16 magic, u16 kind, u32 len)', () => {
    expect(c.MAGIC).toBe(FRAME_MAGIC);
    expect(c.HDR_SIZE).toBe(FRAME_HEADER_BYTES);
    expect([c.OFF_MAGIC, c.OFF_KIND, c.OFF_LEN]).toEqual([0, 2, 4]);
  });

  it('has the same frame kinds, by name', () => {
    const cKinds = enumMembers('vigil_frame_kind').map((n) => [n.replace('VIGIL_FRAME_', ''), c[n]]);
    const tsKinds = Object.entries(FrameKind).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k.toUpperCase(), v]);
    expect(Object.fromEntries(tsKinds)).toEqual(Object.fromEntries(cKinds));
  });

  it('has a message for exactly the exit codes the loader defines', () => {
    const codes = enumMembers('vigil_exit').map((n) => c[n]).sort((a, b) => a - b);
    expect(Object.keys(LOADER_EXIT_MESSAGES).map(Number).sort((a, b) => a - b)).toEqual(codes);
  });
});
