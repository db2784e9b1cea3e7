// nats-server -js on a free loopback port with a temp store, restartable
// with the same port and store (the "restart nats-server" scenario).
import { spawn } from 'node:child_process';
import { freePort } from './control-plane-proc.mjs';

export class NatsProc {
  constructor(port, storeDir) {
    this.port = port;
    this.storeDir = storeDir;
  }

  static async start(storeDir) {
    const n = new NatsProc(await freePort(), storeDir);
    await n.start();
    return n;
  }

  get url() { return `nats://127.0.0.1:${this.port}`; }

  start() {
    const proc = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    return new Promise((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`nats-server not ready:\n${log}`)), 15_000);
      proc.once('error', (err) => { clearTimeout(timer); reject(new Error(`cannot run nats-server (apt-get install nats-server): ${err.message}`)); });
      proc.stderr.on('data', (d) => {
        log += d;
        if (log.includes('Server is ready')) { clearTimeout(timer); resolve(); }
      });
    });
  }

  stop(signal = 'SIGKILL') {
    const p = this.proc;
    if (!p || p.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => { p.once('exit', resolve); p.kill(signal); });
  }
}
