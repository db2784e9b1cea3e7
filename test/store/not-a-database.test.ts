// `--db` pointed at a file that is not SQLite: one clear line naming the
// file and what to do, exit code 2, no stack trace — for `vigil query` and
// `vigil agent` alike (the agent fails before it loads any probe).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReadOnlyDb, openWritableDb } from '../../agent/src/store/open-db';
import { StoreOpenError } from '../../agent/src/store/errors';

const CLI = resolve(__dirname, '../../bin/vigil');
const dir = mkdtempSync(join(tmpdir(), 'vigil-notdb-'));
const notDb = join(dir, 'events.db');
writeFileSync(notDb, 'hello, this is a text file and not a database\n'.repeat(100));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a --db file that is not a database', () => {
  it('is a StoreOpenError from both openers', () => {
    expect(() => openReadOnlyDb(notDb)).toThrow(StoreOpenError);
    expect(() => openWritableDb(notDb)).toThrow(/not a Vigil event database: pass --db with another path/);
  });

  for (const args of [['query', '--db', notDb, '--since', '1h'], ['agent', '--db', notDb, '--jsonl', '/dev/null']]) {
    it(`vigil ${args[0]}: one line on stderr and exit code 2`, () => {
      const r = spawnSync(CLI, args, { encoding: 'utf8', timeout: 30_000 });
      const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('"rules loaded"'));
      expect(r.status).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot open event database ${notDb}: file is not a database`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
