// What machine the numbers came from: they mean little without it. Load
// average is kept because other work on a 2-vCPU VM moves every figure.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

const tryRun = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

export function machineInfo() {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return {
    date: new Date().toISOString(),
    kernel: release(),
    nproc: Number(tryRun('nproc', [])) || cpus().length,
    cpu_model: model ? model[1].trim() : (cpus()[0]?.model ?? 'unknown'),
    mem_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    bpftrace: tryRun('bpftrace', ['--version']),
    auditctl: tryRun('auditctl', ['-v']),
    git_commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
    loadavg_start: loadavg().map((x) => Number(x.toFixed(2))),
  };
}
