// Loader exit codes (enum vigil_exit in agent/loader/frames.h) -> what the
// user should do about them.

export const LOADER_EXIT_MESSAGES: Readonly<Record<number, string>> = {
  0: 'loader: stopped',
  2: 'loader: bad flags (usage error) — this is a vigil bug; see the loader usage message above',
  3: 'loader: not root — run vigil agent as root (needs CAP_BPF and CAP_SYS_ADMIN)',
  4: 'loader: kernel BTF missing — needs a kernel built with CONFIG_DEBUG_INFO_BTF (/sys/kernel/btf/vmlinux)',
  5: 'loader: tracefs not mounted and mounting failed — run: mount -t tracefs nodev /sys/kernel/tracing',
  6: 'loader: the kernel verifier refused a required BPF program, or the BPF objects are out of step with the loader — see the loader log above',
  7: 'loader: no probe could be attached — see the loader log above for each probe error',
  8: 'loader: ring buffer setup failed — try a smaller --ringbuf-size',
  9: 'loader: its stdout was closed or a write failed (collector gone?)',
};

export function loaderExitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `loader: killed by ${signal}`;
  if (code === null) return 'loader: exited for an unknown reason';
  return LOADER_EXIT_MESSAGES[code] ?? `loader: exited with unexpected code ${code}`;
}
