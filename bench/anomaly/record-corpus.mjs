#!/usr/bin/env node
// Records the evaluation corpus: real loader frames (default capture
// profile, read watch from the default rules, as the agent runs it) while
// the benign rounds and then every attack scenario run on this machine.
// Marker execs bracket each step so eval.mjs can tell them apart.
// Usage (root): node bench/anomaly/record-corpus.mjs [--out DIR] [--only-attacks]
// Writes DIR/corpus.frames and DIR/corpus.json (default bench/results/tmp/anomaly).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { recordFrames } from '../lib/record-frames.mjs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IDLE_S, ROUNDS, WEB_PORT } from './benign.mjs';
import { C2, SCENARIOS } from './scenarios.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
const { RuleEngine } = require(join(ROOT, 'dist/agent/src/rules/index.js'));
const { readWatchLines } = require(join(ROOT, 'dist/agent/src/agent/loader-process.js'));
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const OUT = resolve(arg('--out', join(ROOT, 'bench/results/tmp/anomaly')));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`${s}\n`);

const work = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
const MARKS = join(work, 'marks');
const W = join(work, 'w');
const WEBROOT = join(work, 'www');
let web;

function startWeb() {
  web = spawn('python3', ['-m', 'http.server', '--cgi', String(WEB_PORT), '--bind', '127.0.0.1'], { cwd: WEBROOT, stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('curl', ['-s', '-m', '1', '-o', '/dev/null', `http://127.0.0.1:${WEB_PORT}/index.html`]).status === 0) return;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error('web server did not start');
}

/** The victim key ssh-key-read steals, planted when the host has none (and removed after). */
const VICTIM_KEY = '/root/.ssh/id_ed25519';
let plantedKey = false;

function setup() {
  for (const d of [MARKS, W, join(WEBROOT, 'cgi-bin')]) mkdirSync(d, { recursive: true });
  // http.server runs CGI as nobody: it must be able to reach the scripts (mkdtemp makes 0700).
  for (const d of [work, WEBROOT, join(WEBROOT, 'cgi-bin')]) chmodSync(d, 0o755);
  if (!existsSync(VICTIM_KEY)) {
    mkdirSync('/root/.ssh', { recursive: true, mode: 0o700 });
    if (spawnSync('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'vigil-eval victim', '-f', VICTIM_KEY]).status !== 0) throw new Error('ssh-keygen failed');
    plantedKey = true;
  }
  writeFileSync(join(WEBROOT, 'index.html'), '<h1>hello</h1>\n');
  writeFileSync(join(WEBROOT, 'a.txt'), 'a\n');
  writeFileSync(join(WEBROOT, 'b.txt'), 'b\n');
  writeFileSync(join(WEBROOT, 'cgi-bin/status.sh'), '#!/bin/bash\necho "Content-Type: text/plain"\necho\ndate\nuptime\ndf -h / | tail -1\n');
  chmodSync(join(WEBROOT, 'cgi-bin/status.sh'), 0o755);
}

const marks = [];
function mark(name) {
  const bin = join(MARKS, name);
  copyFileSync('/bin/true', bin);
  chmodSync(bin, 0o755);
  spawnSync(bin);
  marks.push({ name, path: bin, ms: Date.now() });
}

function runStep(tag, script, timeoutMs) {
  const env = { ...process.env, ROOT, W, WEBROOT, WEBPORT: String(WEB_PORT), C2 };
  const t0 = Date.now();
  const r = spawnSync('bash', ['-c', `: ${tag}\n${script}`], { env, cwd: W, stdio: 'ignore', timeout: timeoutMs });
  return { status: r.status, ms: Date.now() - t0 };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root: recording loads the eBPF probes');
  mkdirSync(OUT, { recursive: true });
  setup();
  const frames = join(OUT, 'corpus.frames');
  // The read watch the agent would set from the default rules.
  const engine = new RuleEngine({ dirs: [join(ROOT, 'rules')], watch: false });
  const need = engine.ruleSet.readNeed();
  engine.close();
  const recording = await recordFrames(ROOT, frames, ['--capture', 'default'],
    readWatchLines(need.kind === 'all' ? 'all' : { files: need.files ?? [], dirs: need.dirs ?? [] }));
  await sleep(1000);
  startWeb();
  const steps = [];
  const only = process.argv.includes('--only-attacks');
  mark('corpus-begin');
  for (const [r, round] of ROUNDS.entries()) {
    if (only) break;
    mark(`round${r + 1}-begin`);
    for (const [i, [name, script]] of round.entries()) {
      log(`round ${r + 1}: ${name}`);
      if (script === 'RESTART_WEB') {
        web.kill();
        startWeb();
        steps.push({ round: r + 1, name, status: 0 });
        continue;
      }
      if (script === 'IDLE') {
        await sleep(IDLE_S * 1000);
        steps.push({ round: r + 1, name, status: 0, ms: IDLE_S * 1000 });
        continue;
      }
      const res = runStep(`step=r${r + 1}-${i}`, script, 600_000);
      steps.push({ round: r + 1, name, ...res });
    }
    mark(`round${r + 1}-end`);
  }
  const attacks = [];
  for (const s of SCENARIOS) {
    log(`attack: ${s.id}`);
    mark(`attack-${s.id}-begin`);
    const res = runStep(`scenario=${s.id}`, s.script, 60_000);
    mark(`attack-${s.id}-end`);
    attacks.push({ ...s, ...res });
  }
  mark('corpus-end');
  web.kill();
  await sleep(1500);
  await recording.stop();
  writeFileSync(join(OUT, 'corpus.json'), JSON.stringify({ recorded: new Date().toISOString(), marksDir: MARKS, webPort: WEB_PORT, marks, steps, attacks }, null, 1));
  log(`corpus: ${frames} (${(statSync(frames).size / 2 ** 20).toFixed(1)} MiB), ${steps.length} benign steps, ${attacks.length} attacks`);
}

main().catch((err) => { process.stderr.write(`recording failed: ${err.stack}\n`); process.exitCode = 1; })
  .finally(() => {
    web?.kill();
    rmSync(work, { recursive: true, force: true });
    if (plantedKey) for (const f of [VICTIM_KEY, `${VICTIM_KEY}.pub`]) rmSync(f, { force: true });
  });
