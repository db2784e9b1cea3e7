// Which `vigil agent` options exist right now, read from its --help, and the
// argument list for a bench profile built only from those. The pipeline is
// growing (--db, --rules, --capture land over time): passing an option the
// CLI does not know would make it exit, so we never do.
import { existsSync } from 'node:fs';

/** Long options ("--jsonl", "--db"...) listed in commander help text. */
export function parseHelpOptions(helpText) {
  const opts = new Set();
  for (const line of helpText.split('\n')) {
    const m = /^\s+(?:-\w,\s+)?(--[a-z][a-z0-9-]*)/.exec(line);
    if (m) opts.add(m[1]);
  }
  return opts;
}

/**
 * Agent arguments for a profile. `default`: shipped rules + store when the
 * CLI has them; `full`: the same plus --capture all. Without --db the events
 * go to a JSONL file instead, so the agent still does real output work and
 * the driver can see a marker event arrive.
 */
export function agentArgs(opts, profile, { dbPath, jsonlPath, rulesDir }) {
  const args = ['agent'];
  const notes = [];
  if (opts.has('--log-level')) args.push('--log-level', 'info');
  if (opts.has('--capture')) args.push('--capture', profile === 'full' ? 'all' : 'default');
  // The bundled rules/ load by default; --rules only adds a directory.
  if (opts.has('--no-default-rules')) {
    if (!rulesDir || !existsSync(rulesDir)) notes.push('rules dir missing');
  } else if (opts.has('--rules') && rulesDir && existsSync(rulesDir)) args.push('--rules', rulesDir);
  else notes.push(opts.has('--rules') ? 'rules dir missing' : 'no --rules yet');
  if (opts.has('--db')) {
    args.push('--db', dbPath);
  } else if (opts.has('--jsonl')) {
    args.push('--jsonl', jsonlPath);
    notes.push('no --db yet: events to a JSONL file');
  } else {
    notes.push('no --db/--jsonl: events only counted');
  }
  return { args, notes, jsonl: args.includes('--jsonl') ? jsonlPath : null };
}
