// `vigil baseline` against real databases: learning from a recorded history,
// export/import between hosts, and bad input that must leave the baseline
// as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/vigil';
import { buildFixtureDb } from '../query/fixtures/build-db';

const dir = mkdtempSync(join(tmpdir(), 'vigil-blcli-'));
const history = join(dir, 'history.db');
buildFixtureDb(history);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function vigil(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    await main(['node', 'vigil', 'baseline', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out, err };
}

const status = async (db: string) => JSON.parse((await vigil('status', '--json', '--db', db)).out);

describe('vigil baseline', () => {
  it('learn --from-history warms the baseline and ends learning at once', async () => {
    const r = await vigil('learn', '--from-history', '--since', '5000d', '--db', history);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^learned 1[0-9] events \(2024-04-28T12:00:00\.000Z \.\. 2024-05-01T\d\d:\d\d:\d\d\.\d+Z\) into \d+ baseline entries: applied$/m);
    const st = await status(history);
    expect(st.learning).toBe(false);
    expect(st.learning_since).toBe(Date.parse('2024-04-28T12:00:00.000Z'));
    expect(st.profiles.lineage.entries).toBeGreaterThanOrEqual(2); // nginx -> sh, sh -> curl
    expect(st.profiles['net-dest'].entries).toBe(4); // curl -> 10.0.0.5:4444, sshd's DNS lookup; each also host-wide
  });

  it('export, then import into another host, carries the entries over', async () => {
    const file = join(dir, 'golden.json');
    expect((await vigil('export', '--out', file, '--db', history)).code).toBe(0);
    const other = join(dir, 'other.db');
    const r = await vigil('import', file, '--db', other);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^imported \d+ entries and 0 allowed behaviour\(s\) from .*: applied$/m);
    const a = await status(history);
    const b = await status(other);
    expect(b.entries).toBe(a.entries);
    expect(b.learning_since).toBe(a.learning_since);
  });

  it.each([
    ['not JSON', '{"format": "vigil-baseline", '],
    ['a foreign document', JSON.stringify({ rules: [] })],
    ['a newer version', JSON.stringify({ format: 'vigil-baseline', version: 2, entries: [], allowed: [] })],
    ['a malformed entry', JSON.stringify({ format: 'vigil-baseline', version: 1, entries: [['exe', '*', '/bin/x', 'many', 1, 2]], allowed: [] })],
  ])('import refuses %s with one clear line, and the baseline is untouched', async (_what, text) => {
    const before = await status(history);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, text);
    const r = await vigil('import', bad, '--db', history);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^vigil: .*bad\.json/);
    const after = await status(history);
    expect(after.entries).toBe(before.entries);
    expect(after.pending_inbox).toBe(0);
  });

  it('allow with an unknown alert id says how to find one', async () => {
    const r = await vigil('allow', 'no-such-alert', '--db', history);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^vigil: no anomaly alert no-such-alert in .*: list them with `vigil query --rule vigil-anomaly`\n$/);
  });

  it('status on a file that is not a database is one clear line', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite at all, not even close'.repeat(100));
    const r = await vigil('status', '--db', junk);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/not a Vigil event database/);
  });
});
