import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlOpenError, JsonlWriter, toJsonLine } from '../../agent/src/output/jsonl-writer';

describe('JsonlWriter', () => {
  let dir: string | undefined;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('serialises bigints as strings', () => {
    expect(toJsonLine({ a: 1n << 70n, b: [2n], c: 'x' })).toBe('{"a":"1180591620717411303424","b":["2"],"c":"x"}');
  });

  it('writes one JSON object per line, appending, flushed on close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-jsonl-'));
    const path = join(dir, 'out.jsonl');
    const w = JsonlWriter.open(path, { flushBytes: 100 });
    for (let i = 0; i < 50; i++) w.write({ i, big: BigInt(i) });
    await w.close();
    const w2 = JsonlWriter.open(path);
    w2.write({ i: 50 });
    await w2.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(51);
    expect(lines[3]).toEqual({ i: 3, big: '3' });
    expect(lines[50]).toEqual({ i: 50 });
    expect(w.written).toBe(50);
  });

  it('flushes on a timer without close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-jsonl-'));
    const path = join(dir, 'out.jsonl');
    const w = JsonlWriter.open(path, { flushMs: 10 });
    w.write({ hello: 'world' });
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(path, 'utf8')).toBe('{"hello":"world"}\n');
    await w.close();
  });

  it('fails at open with a message that says what to check', () => {
    expect(() => JsonlWriter.open('/nonexistent-dir/x.jsonl')).toThrow(JsonlOpenError);
    expect(() => JsonlWriter.open('/nonexistent-dir/x.jsonl')).toThrow(/check the directory exists/);
  });
});
