// Start-up failures: each must exit with its frames.h code and a message
// that tells the user what to do, before any frame is written.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, requireLoader, runToExit } from './loader-harness';

beforeAll(requireLoader);
afterEach(killAll);

describe('vigil-loader flags and feature checks', () => {
  it('rejects an unknown flag with usage and exit 2', async () => {
    const r = await runToExit(['--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
    expect(r.stderr).toContain('Usage:');
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--ringbuf-size', '12345'], '--ringbuf-size'],
    [['--ringbuf-size', '1024'], '--ringbuf-size'],
    [['--poll-ms', '0'], '--poll-ms'],
    [['--stats-interval-ms', 'soon'], '--stats-interval-ms'],
    [['--self-pid', '-4'], '--self-pid'],
    [['--disable', 'process'], 'process family is required'],
    [['--disable', 'disk'], "unknown family 'disk'"],
    [['--btf'], 'needs a value'],
    [['stray'], "unexpected argument 'stray'"],
  ])('rejects %j with exit 2', async (args, msg) => {
    const r = await runToExit(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(msg);
  });

  it('--help lists every flag on stdout and exits 0', async () => {
    const r = await runToExit(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--btf', '--ringbuf-size', '--wakeup-bytes', '--poll-ms', '--stats-interval-ms',
      '--disable', '--self-pid', '--no-stdin-watch', '--exec-wakeup', '--verbose', '--help']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('exits 4 naming the BTF path when --btf does not exist', async () => {
    const r = await runToExit(['--btf', '/nonexistent/vmlinux.btf']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('/nonexistent/vmlinux.btf');
    expect(r.stderr).toContain('CONFIG_DEBUG_INFO_BTF');
    expect(r.stdout).toBe('');
  });

  it('exits 3 with advice when run unprivileged', async () => {
    const r = await runToExit([], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/run as root or grant CAP_BPF\+CAP_PERFMON/);
    expect(r.stdout).toBe('');
  });
});
