// A probe object that lacks a tunable the loader sets (a .rodata global)
// is out of step with the loader: running anyway would silently ignore
// --capture or --dedup-window-ms. The loader must refuse to start, name the
// variable and the object, and exit with VIGIL_EXIT_LOAD (frames.h).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildFixtureLoader } from './fixture-loader';
import { LoaderRun, killAll } from './loader-harness';

const VIGIL_EXIT_LOAD = 6;
let dir = '';
let loader = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-tunable-'));
  loader = buildFixtureLoader('no-tunable.bpf.c', dir);
}, 120000);

afterEach(killAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('refuses an object without the dedup_ns tunable, naming it, with exit code 6', async () => {
  const run = new LoaderRun(['--disable', 'file,net'], { binary: loader });
  run.child.stdin!.end();
  const exit = await run.exited;
  expect(exit.code).toBe(VIGIL_EXIT_LOAD);
  expect(run.stderr).toMatch(/failed to set tunable dedup_ns in priv_bpf: no such \.rodata variable .*make bpf loader/);
  // Nothing was attached, so no READY frame went out.
  expect(run.frames.some((f) => f.kind === 3)).toBe(false);
}, 60000);
