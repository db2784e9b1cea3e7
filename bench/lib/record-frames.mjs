// Records loader frames into a file for replay. The loader writes the file
// itself: callers run their workloads synchronously, and a pipe into a
// blocked process would stall the loader and drop events meanwhile.
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `vigil-loader` writing frames to `path`; resolves once frames flow.
 * `control`: control lines to send first (a read watch). stop() ends it.
 */
export async function recordFrames(root, path, args, control = []) {
  const fd = openSync(path, 'w');
  const loader = spawn(join(root, 'build/vigil-loader'), [...args, '--self-pid', String(process.pid)], { stdio: ['pipe', fd, 'ignore'] });
  closeSync(fd);
  const exited = new Promise((ok) => loader.once('exit', ok));
  if (control.length) loader.stdin.write(`${control.join('\n')}\n`);
  for (const until = Date.now() + 30_000; statSync(path).size === 0; await sleep(100)) if (Date.now() > until) throw new Error('loader sent nothing');
  return {
    async stop() {
      loader.stdin.end();
      await exited;
    },
  };
}
