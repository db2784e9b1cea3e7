// A SIGKILLed agent loses at most what was not yet committed, and the
// database opens cleanly afterwards. The child runs the real EventStore,
// compiled with tsc into a temp dir, in a separate node process.
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../agent/src/query/run-query';
import { EventStore } from '../../agent/src/store/event-store';

const ROOT = resolve(__dirname, '../..');
let dir: string;
let storeModule: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-dur-'));
  const out = join(dir, 'js');
  // A throwaway tsconfig compiles just the store, independent of the repo's config and other modules.
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: { outDir: out, rootDir: ROOT, module: 'commonjs', target: 'ES2022', esModuleInterop: true,
      skipLibCheck: true, strict: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
    files: [join(ROOT, 'agent/src/store/event-store.ts')],
  }));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`tsc failed compiling the store:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  storeModule = join(out, 'agent/src/store/event-store.js');
  expect(existsSync(storeModule)).toBe(true);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the fixture until it reports `killAfter` commits (plus a random delay), then SIGKILLs it. */
function runAndKill(dbPath: string, killAfter: number): Promise<{ lastCommitted: number; batches: number }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(__dirname, 'fixtures/append-loop.js'), storeModule, dbPath], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let stderr = '';
    let lastCommitted = 0;
    let batches = 0;
    let killing = false;
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const m = /^committed (\d+) (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (!m) continue;
        batches = Number(m[1]);
        lastCommitted = Number(m[2]);
        if (batches >= killAfter && !killing) {
          killing = true;
          // Land the kill at an arbitrary point of the append/flush cycle.
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') rej(new Error(`fixture exited ${code} ${signal}: ${stderr}`));
      else res({ lastCommitted, batches });
    });
  });
}

describe('durability under SIGKILL', () => {
  it('keeps every reported commit, passes integrity_check and reopens for writing, three crashes in a row', async () => {
    const dbPath = join(dir, 'events.db');
    let before = 0;
    for (const killAfter of [5, 12, 20]) {
      const { lastCommitted, batches } = await runAndKill(dbPath, killAfter);
      expect(batches).toBeGreaterThanOrEqual(killAfter);
      // The process died without close(): its WAL is still there to recover from.
      expect(statSync(`${dbPath}-wal`).size).toBeGreaterThan(0);

      const ro = new Database(dbPath, { readonly: true });
      expect(ro.pragma('integrity_check', { simple: true })).toBe('ok');
      const n = (ro.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      ro.close();
      // Nothing reported as committed is lost; at most one unreported batch (1000) more.
      expect(n - before).toBeGreaterThanOrEqual(lastCommitted);
      expect(n - before).toBeLessThanOrEqual(lastCommitted + 1000);

      // The agent restarts on the same file and keeps writing.
      const s = new EventStore({ path: dbPath });
      s.append(runQuery(s.db, { kind: 'event', limit: 1 }).rows[0].doc);
      expect(s.flush()).toBe(1);
      s.close();
      before = n + 1;
    }
  }, 60_000);
});
