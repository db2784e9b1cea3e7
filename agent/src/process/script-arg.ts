// The script an interpreter was started on (`bash x.sh`, `python3 -u x.py`,
// `perl x.pl`): the first argument that is not an option, when no option
// says the code comes from the command line (-c, -e, -m) or from stdin (-).
// Resolved against the working directory, so it names the file written.
import { posix } from 'node:path';

/** Interpreter families, and the options after which the program is not a file. */
const FAMILIES: { name: RegExp; inline: Set<string> }[] = [
  { name: /^(?:ba|da|z|k|c|tc|fi)?sh$|^busybox$/, inline: new Set(['-c', '-s', '-']) },
  { name: /^python[0-9.]*$/, inline: new Set(['-c', '-m', '-']) },
  { name: /^perl[0-9.]*$/, inline: new Set(['-e', '-E', '-']) },
  { name: /^ruby[0-9.]*$/, inline: new Set(['-e', '-']) },
  { name: /^node$/, inline: new Set(['-e', '--eval', '-p', '--print', '-']) },
  { name: /^php[0-9.]*$/, inline: new Set(['-r', '-']) },
  { name: /^lua[0-9.]*$/, inline: new Set(['-e', '-']) },
];
/** Options that take a value (skipped with it). */
const WITH_VALUE = new Set(['-o', '-O', '-W', '-X', '--rcfile', '--init-file', '-I', '-M', '-r', '--require']);

export function scriptArg(executable: string | undefined, args: readonly string[] | undefined, cwd: string | undefined): string | undefined {
  if (!executable || !args || args.length < 2) return undefined;
  const name = executable.slice(executable.lastIndexOf('/') + 1);
  const family = FAMILIES.find((f) => f.name.test(name));
  if (!family) return undefined;
  const shell = family === FAMILIES[0];
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    // Shells take combined flags: -lc and -ec are -c too.
    if (family.inline.has(a) || (shell && /^-[a-zA-Z]*[cs]$/.test(a))) return undefined;
    if (WITH_VALUE.has(a)) { i++; continue; }
    if (a.startsWith('-')) continue;
    if (name === 'busybox' && i === 1) continue; // busybox sh x.sh: the applet comes first
    if (a.startsWith('/')) return posix.normalize(a);
    return cwd ? posix.join(cwd, a) : undefined;
  }
  return undefined;
}
