// Keeps bpf/events.h and agent/src/decode/layout.ts in step mechanically: a C
// program is generated FROM the TS tables, compiled against events.h, and
// prints what the C compiler thinks. Any drift on either side fails here
// (a renamed C field fails to compile, a moved one prints another offset).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTANTS, EVENT_TYPES, STRUCTS, type FieldKind } from '../../agent/src/decode/layout';

const ROOT = resolve(__dirname, '../..');

// What _Generic in the C program reports for each TS kind (arrays: element type).
const C_KIND: Record<FieldKind, string> = {
  u8: 'u8', u16: 'u16', u32: 'u32', s32: 's32', u64: 'u64', s64: 's64', 'char[]': 'char', 'u8[]': 'u8', 'u64[]': 'u64',
};
const isArray = (k: FieldKind): boolean => k.endsWith('[]');

function generateProgram(): string {
  const lines = [
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#include "events.h"',
    '#define KIND(x) _Generic((x), char: "char", __u8: "u8", __u16: "u16", __u32: "u32", __s32: "s32", \\',
    '  __u64: "u64", __s64: "s64", default: "other")',
    'int main(void) {',
  ];
  for (const s of STRUCTS) {
    lines.push(`  { struct ${s.name} v; (void)v;`);
    lines.push(`    printf("sizeof ${s.name} %zu\\n", sizeof(struct ${s.name}));`);
    for (const fl of s.fields) {
      const elem = isArray(fl.kind) ? `v.${fl.name}[0]` : `v.${fl.name}`;
      lines.push(`    printf("field ${s.name}.${fl.name} %zu %zu %s\\n", offsetof(struct ${s.name}, ${fl.name}), sizeof(v.${fl.name}), KIND(${elem}));`);
    }
    lines.push('  }');
  }
  for (const et of EVENT_TYPES) lines.push(`  printf("const ${et.cName} %lld\\n", (long long)${et.cName});`);
  for (const name of Object.keys(CONSTANTS)) lines.push(`  printf("const ${name} %lld\\n", (long long)${name});`);
  lines.push('  return 0;', '}');
  return lines.join('\n') + '\n';
}

function expectedOutput(): string {
  const out: string[] = [];
  for (const s of STRUCTS) {
    out.push(`sizeof ${s.name} ${s.size}`);
    for (const fl of s.fields) out.push(`field ${s.name}.${fl.name} ${fl.offset} ${fl.size} ${C_KIND[fl.kind]}`);
  }
  for (const et of EVENT_TYPES) out.push(`const ${et.cName} ${et.code}`);
  for (const [name, value] of Object.entries(CONSTANTS)) out.push(`const ${name} ${value}`);
  return out.join('\n') + '\n';
}

describe('layout.ts mirrors bpf/events.h', () => {
  let dir: string;
  let cOutput: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-layout-'));
    writeFileSync(join(dir, 'layout.c'), generateProgram());
    execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-D__VIGIL_USERSPACE', `-I${ROOT}/bpf`, '-o', join(dir, 'layout'), join(dir, 'layout.c')], { stdio: 'pipe' });
    cOutput = execFileSync(join(dir, 'layout'), { encoding: 'utf8' });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the same struct sizes, field offsets, sizes, kinds and constants as the C compiler', () => {
    expect(cOutput).toBe(expectedOutput());
  });

  it('covers every event type events.h declares (no enum value without a TS layout)', () => {
    // Scan the enum body for VIGIL_EV_* names: a new C type must be added to EVENT_TYPES.
    const header = execFileSync('cc', ['-E', '-P', '-D__VIGIL_USERSPACE', `-I${ROOT}/bpf`, '-x', 'c', join(ROOT, 'bpf/events.h')], { encoding: 'utf8' });
    const enumBody = /enum vigil_event_type\s*\{([^}]*)\}/.exec(header)![1];
    const cNames = [...enumBody.matchAll(/VIGIL_EV_[A-Z0-9_]+/g)].map((m) => m[0])
      .filter((n) => n !== 'VIGIL_EV_UNSPECIFIED' && n !== 'VIGIL_EV_MAX');
    expect(cNames.sort()).toEqual(EVENT_TYPES.map((t) => t.cName).sort());
  });

  it('is internally consistent: fields in order, inside the struct, array sizes a multiple of the element', () => {
    const elemSize: Record<FieldKind, number> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, s64: 8, 'char[]': 1, 'u8[]': 1, 'u64[]': 8 };
    for (const s of STRUCTS) {
      let end = 0;
      for (const fl of s.fields) {
        expect(fl.offset, `${s.name}.${fl.name} overlaps the previous field`).toBeGreaterThanOrEqual(end);
        expect(fl.size % elemSize[fl.kind], `${s.name}.${fl.name} size`).toBe(0);
        if (!isArray(fl.kind)) expect(fl.size, `${s.name}.${fl.name} scalar size`).toBe(elemSize[fl.kind]);
        end = fl.offset + fl.size;
      }
      expect(end, `${s.name} fields run past sizeof`).toBeLessThanOrEqual(s.size);
    }
  });
});
