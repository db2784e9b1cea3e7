// The loader's stdin control channel (agent/loader/control.h) against the
// real kernel maps: the read watch count reported in STATS follows what was
// committed, junk lines are reported and ignored, and module probes are
// gated by profile on a kernel without module syscall tracepoints.
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { LoaderRun, json, killAll, requireLoader } from './loader-harness';

beforeAll(requireLoader);
afterEach(killAll);

const hasModuleTracepoints = existsSync('/sys/kernel/tracing/events/syscalls/sys_exit_init_module');

async function statsAfter(run: LoaderRun, pred: (s: ReturnType<typeof json>) => boolean) {
  return json(await run.waitFor((f) => f.kind === FrameKind.Stats && pred(json(f)), 10_000));
}

describe('loader control channel', () => {
  it('reports the committed read watch size, survives junk, and turns the filter off', async () => {
    const run = new LoaderRun(['--capture', 'default', '--disable', 'net,priv', '--stats-interval-ms', '100']);
    const ready = await run.ready();
    expect(ready.read_watch).toBe(-1); // nothing committed yet: every read ships
    const w = (s: string) => run.child.stdin!.write(s);
    w('bogus command\nwatch file early\nwatch-commit\n');
    w(`watch-begin\nwatch file shadow\nwatch dir sudoers.d\nwatch file a/b\nwatch nonsense x\nwatch file ${'n'.repeat(300)}\n`);
    w('watch file shadow\nwatch dir shadow\nwatch-commit\n');
    // shadow (file+dir bits: one key) and sudoers.d.
    await statsAfter(run, (s) => s.read_watch === 2);
    expect(run.stderr).toMatch(/unknown command 'bogus'/);
    expect(run.stderr).toMatch(/ignored 'watch file early'/);
    expect(run.stderr).toMatch(/ignored 'watch file a\/b'/);
    expect(run.stderr).toMatch(/line over 255 bytes ignored/);
    // A recommit replaces the set; watch-off ships every read again.
    w('watch-begin\nwatch file id_rsa\nwatch file id_dsa\nwatch file config\nwatch-commit\n');
    await statsAfter(run, (s) => s.read_watch === 3);
    w('watch-off\n');
    await statsAfter(run, (s) => s.read_watch === -1);
    expect(run.child.exitCode).toBeNull();
  });

  it('gates the every-syscall module probe by profile when module tracepoints are missing', async () => {
    const state = async (args: string[]) => {
      const run = new LoaderRun(['--disable', 'file,net', ...args]);
      const ready = await run.ready();
      run.child.stdin!.end();
      await run.exited;
      return ready.probes.find((p) => p.name === 'exit_module_any')!;
    };
    const def = await state(['--capture', 'default']);
    const all = await state(['--capture', 'all']);
    if (hasModuleTracepoints) {
      expect(def.error).toMatch(/own tracepoints/);
      expect(all.error).toMatch(/own tracepoints/);
    } else {
      expect(def).toMatchObject({ attached: false });
      expect(def.error).toMatch(/--capture all/);
      expect(all).toMatchObject({ attached: true, error: '' });
    }
  }, 60_000);

  it('rejects a bad --capture or --dedup-window-ms with usage exit 2', async () => {
    for (const args of [['--capture', 'most'], ['--dedup-window-ms', '-1'], ['--dedup-window-ms', '70000']]) {
      const run = new LoaderRun(args);
      const exit = await run.exited;
      expect(exit.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(new RegExp(args[0]));
    }
  });
});
