// Keeps docs/api.md in step with the wire contract: the field reference
// table and the file table against proto/vigil/v1/*.proto, the error-code
// table against the error catalogue, the close-code table against CLOSE.
// Each comparison is exact in both directions.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { protoRoot } from '../../proto/src';
import { CLOSE } from '../../proto/src/close-codes';
import { ERRORS } from '../../control-plane/src/errors';

const DOC = readFileSync(resolve(__dirname, '../../docs/api.md'), 'utf8');
const pkg = protoRoot().lookup('vigil.v1') as protobuf.Namespace;

/** Body rows (cells trimmed) of the first table after `heading`, before the next heading. */
export function tableAfter(doc: string, heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/api.md has no "${heading}" section`);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,6} /);
  const rows = (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.startsWith('|'));
  return rows.slice(2).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

function reflectMembers(n: protobuf.ReflectionObject): string {
  if (n instanceof protobuf.Type) return n.fieldsArray.map((f) => `${f.partOf ? f.partOf.name + '.' : ''}${f.name}=${f.id}`).join(', ');
  if (n instanceof protobuf.Enum) return Object.entries(n.values).map(([k, v]) => `${k}=${v}`).join(', ');
  throw new Error(`unexpected ${n.name}`);
}

describe('docs/api.md <-> proto drift', () => {
  it('the table parser reads rows and stops at the next heading (so the checks below can fail)', () => {
    const doc = '\n### T\n\n| a | b |\n|---|---|\n| `X` | 1, 2 |\n\n## Next\n| `Y` | 3 |\n';
    expect(tableAfter(doc, '### T')).toEqual([['`X`', '1, 2']]);
  });

  it('the field reference lists exactly the messages and enums of vigil.v1, each with its file, fields and numbers', () => {
    const documented = Object.fromEntries(tableAfter(DOC, '### Field reference').map(([name, file, members]) => [name, { file, members }]));
    const actual = Object.fromEntries(pkg.nestedArray.map((n) => [`\`${n.name}\``, { file: basename(n.filename ?? ''), members: reflectMembers(n) }]));
    expect(documented).toEqual(actual);
  });

  it('the file table names each message and enum under its own .proto file, and names nothing else', () => {
    const documented: Record<string, string[]> = {};
    for (const [file, cell] of tableAfter(DOC, '## Protobuf messages (`proto/vigil/v1/`)')) {
      const names = [...cell.matchAll(/`([A-Z][A-Za-z0-9]*)`/g)].map((m) => m[1]);
      documented[file.replace(/`/g, '')] = [...new Set(names)].sort();
    }
    const actual: Record<string, string[]> = {};
    for (const n of pkg.nestedArray) (actual[basename(n.filename ?? '')] ??= []).push(n.name);
    for (const k of Object.keys(actual)) actual[k].sort();
    expect(documented).toEqual(actual);
  });

  it('the error-code table lists exactly the codes of the catalogue (control plane + wire)', () => {
    const documented = tableAfter(DOC, '## Error codes').map(([code]) => code.replace(/`/g, '')).sort();
    expect(documented).toEqual(Object.values(ERRORS).map((e) => e.code).sort());
  });

  it('the close-code table lists exactly the close codes in proto/src/close-codes.ts', () => {
    const documented = tableAfter(DOC, '### Close codes').map(([code]) => Number(code)).sort();
    expect(documented).toEqual([...new Set(Object.values(CLOSE))].sort());
  });
});
