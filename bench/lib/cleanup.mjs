// Undo stack so the machine is left as found: every change a tracer makes
// (auditd started, audit rules added, processes spawned) pushes its undo
// here, and the undo runs on normal stop, on error, and on SIGINT/SIGTERM.
const undos = new Map();
let nextId = 1;
let running = false;

/**
 * Register an undo; returns a function that runs it now and unregisters it.
 * Its `.detach()` unregisters without running (the thing undid itself).
 */
export function onCleanup(label, fn) {
  const id = nextId++;
  undos.set(id, { label, fn });
  const now = async () => {
    const u = undos.get(id);
    if (!u) return;
    undos.delete(id);
    await u.fn();
  };
  now.detach = async () => { undos.delete(id); };
  return now;
}

/** Run every pending undo, newest first. Errors are reported, never thrown. */
export async function cleanupAll() {
  if (running) return;
  running = true;
  for (const id of [...undos.keys()].reverse()) {
    const u = undos.get(id);
    undos.delete(id);
    try {
      await u.fn();
    } catch (err) {
      process.stderr.write(`bench: cleanup "${u.label}" failed: ${err.message} — check it by hand\n`);
    }
  }
  running = false;
}

export function installSignalCleanup() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      process.stderr.write(`\nbench: ${sig}: undoing tracer changes...\n`);
      await cleanupAll();
      process.exit(130);
    });
  }
}
