// The environment variables worth keeping from an exec: the ones that change
// what a program loads, where its traffic goes or what it hides (LD_PRELOAD,
// proxies, history switches), plus where a session came from. Everything else in an environment (tokens, keys) stays
// out of events and history. Only the head of the environment is captured
// (VIGIL_ENV_MAX bytes, bpf/process.bpf.c); shells put a command's own
// assignments (`LD_PRELOAD=x cmd`) first.

/** Names kept, as ECS `process.env_vars` entries "NAME=value". */
export const WATCHED_ENV = [
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_DEBUG', 'LD_BIND_NOW',
  'HISTFILE', 'HISTSIZE', 'HISTFILESIZE', 'HISTCONTROL', 'PROMPT_COMMAND', 'BASH_ENV', 'ENV',
  'PYTHONPATH', 'PYTHONSTARTUP', 'PERL5OPT', 'PERL5LIB', 'RUBYOPT', 'NODE_OPTIONS',
  'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy',
  'SSH_CONNECTION', 'SUDO_USER',
] as const;

const WATCHED = new Set<string>(WATCHED_ENV);
/** A value longer than this is cut (its name and head are what a rule needs). */
const VALUE_MAX = 256;
const EQ = 0x3d;

/** The watched "NAME=value" entries of a NUL-separated environment blob, in order; undefined when none. */
export function watchedEnvVars(blob: Buffer | undefined): string[] | undefined {
  if (!blob || blob.length === 0) return undefined;
  let out: string[] | undefined;
  let start = 0;
  for (let i = 0; i <= blob.length; i++) {
    if (i < blob.length && blob[i] !== 0) continue;
    const eq = blob.indexOf(EQ, start);
    // Names are short: test the set only when '=' is near and inside this entry.
    if (eq > start && eq < i && eq - start <= 20) {
      const name = blob.toString('latin1', start, eq);
      if (WATCHED.has(name)) (out ??= []).push(blob.toString('utf8', start, Math.min(i, eq + 1 + VALUE_MAX)));
    }
    start = i + 1;
  }
  return out;
}
