// The arrows of the house: proto/ (the wire contract) is imported by both
// sides and imports neither; agent/ and control-plane/ never import each
// other. Only cli/ (the `vigil` composition root) may mount both.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Repo-relative targets of every relative import, export-from, import() and require() in `source`. */
export function importTargets(file: string, source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(dirname(file), spec)));
}

function violations(fromDir: string, forbidden: string[]): string[] {
  const out: string[] = [];
  for (const file of tsFiles(join(ROOT, fromDir))) {
    for (const target of importTargets(file, readFileSync(file, 'utf8'))) {
      if (forbidden.some((f) => target === f || target.startsWith(f + '/'))) out.push(`${relative(ROOT, file)} -> ${target}`);
    }
  }
  return out;
}

describe('import boundaries', () => {
  it('the scanner sees static, re-export, dynamic and require imports (so the checks below can fail)', () => {
    const file = join(ROOT, 'agent/src/transport/x.ts');
    const src = [
      "import { a } from '../../../control-plane/src/a';",
      "export * from '../../../control-plane/src/b';",
      "const c = require('../../../control-plane/src/c');",
      "void import('../../../control-plane/src/d');",
      "import type { E } from 'protobufjs';",
    ].join('\n');
    expect(importTargets(file, src)).toEqual([
      'control-plane/src/a', 'control-plane/src/b', 'control-plane/src/c', 'control-plane/src/d',
    ]);
  });

  it('agent/src imports nothing from control-plane/', () => {
    expect(violations('agent/src', ['control-plane'])).toEqual([]);
  });

  it('control-plane/src imports nothing from agent/', () => {
    expect(violations('control-plane/src', ['agent'])).toEqual([]);
  });

  it('proto/src imports neither side', () => {
    expect(violations('proto/src', ['agent', 'control-plane'])).toEqual([]);
  });
});
