#!/usr/bin/env node
// Drain reader: runs vigil-loader as its child, reads its frames with the
// agent's FrameReader and only counts EVENTS records (by hdr.size) and the
// latest STATS. The smallest possible Node consumer: the loader's drain rate
// with a reader that does no decoding.
// Usage: node drain-reader.mjs <loader> [loader args...]
// Prints JSON lines on stdout: {"type":"ready"}, then a {"type":"snapshot"}
// on every SIGUSR1 and a final one when SIGTERM/SIGINT stops it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countRecords } from './record-counter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { FrameReader, FrameKind } = createRequire(import.meta.url)(join(root, 'dist/agent/src/decode/frame-reader.js'));

const [loaderPath, ...loaderArgs] = process.argv.slice(2);
if (!loaderPath) {
  process.stderr.write('usage: drain-reader.mjs <vigil-loader> [args...]\n');
  process.exit(2);
}

const reader = new FrameReader();
const c = { frames: 0, eventFrames: 0, records: 0, badPayloads: 0, bytes: 0, lastEventAt: 0, stats: null };
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const snapshot = (type) => say({ type, at: Date.now(), ...c, resyncedBytes: reader.resyncedBytes });

const loader = spawn(loaderPath, ['--self-pid', String(process.pid), ...loaderArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
loader.stdin.on('error', () => {});
loader.stdout.on('data', (chunk) => {
  c.bytes += chunk.length;
  for (const f of reader.push(chunk)) {
    c.frames++;
    if (f.kind === FrameKind.Events) {
      const n = countRecords(f.payload);
      c.eventFrames++;
      c.records += n.records;
      c.badPayloads += n.bad;
      c.lastEventAt = Date.now();
    } else if (f.kind === FrameKind.Stats || f.kind === FrameKind.Ready) {
      try {
        c.stats = JSON.parse(f.payload.toString('utf8'));
        delete c.stats.probes;
      } catch { /* a bad stats frame is not our measurement */ }
      if (f.kind === FrameKind.Ready) say({ type: 'ready', loaderPid: loader.pid });
    }
  }
});
loader.on('close', (code, signal) => {
  snapshot('final');
  say({ type: 'exit', code, signal });
  process.exit(code === 0 ? 0 : 1);
});
process.on('SIGUSR1', () => snapshot('snapshot'));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => loader.stdin.end());
