// Drain-style masking: the variable parts of paths and command lines
// (numbers, hex, uuids, addresses, random temp names, quoted data, encoded
// blobs) become placeholders, so one template stands for every run of the
// same behaviour and a profile counts behaviours, not strings.

const MAX_TEMPLATE_ARGS = 12;
const MAX_TOKEN = 80;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(0x)?[0-9a-f]{6,}$/i;
const NUM = /^[-+]?\d+([.:,]\d+)*[a-z]{0,2}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/;
const B64 = /^[A-Za-z0-9+/_-]{24,}={0,2}$/;
const TEMP_DIRS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/user/'];

/** Letter/digit and lower/upper switches in a name. */
function flips(part: string): { digit: number; kase: number } {
  let kind = 0;
  let kase = 0;
  let digit = 0;
  let prevCase = 0;
  for (const ch of part) {
    const k = ch >= '0' && ch <= '9' ? 1 : /[a-z]/i.test(ch) ? 2 : 0;
    if (k && kind && k !== kind) digit++;
    if (k) kind = k;
    const c = ch >= 'A' && ch <= 'Z' ? 1 : ch >= 'a' && ch <= 'z' ? 2 : 0;
    if (c && prevCase && c !== prevCase) kase++;
    if (c) prevCase = c;
  }
  return { digit, kase };
}

/**
 * A generated name part (mkstemp's XXXXXX, compiler temporaries, test
 * copies): it switches between letters and digits often, or is a short
 * mixed-case or alphanumeric run after a separator (vigil-eval-MZxFYE).
 * Meaningful names (payload.sh, PackageKit, python3, base64) stay.
 */
function looksRandom(part: string, afterSeparator: boolean): boolean {
  if (part.length < 5 || !/^[A-Za-z0-9]+$/.test(part)) return false;
  const f = flips(part);
  if (f.digit >= 3 || f.kase >= 5) return true;
  if (!afterSeparator || part.length > 12) return false;
  // mkstemp/mkdtemp: six characters of mixed case or letters and digits.
  if (part.length === 6 && ((f.kase >= 1 && /[A-Z]/.test(part.slice(1))) || f.digit >= 1)) return true;
  return (f.kase >= 2 && /[A-Z]/.test(part.slice(1))) || (f.digit >= 1 && /\d.*\d|\d{2}/.test(part) && /[a-z]/i.test(part));
}

function maskSegment(seg: string): string {
  if (seg === '') return seg;
  if (UUID.test(seg)) return '<uuid>';
  if (NUM.test(seg)) return '<n>';
  if (HEX.test(seg) && /\d/.test(seg)) return '<hex>';
  const parts = seg.split(/([-_.])/);
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i];
    if (/^\d{3,}$/.test(part)) parts[i] = '<n>';
    else if (looksRandom(part, i > 0)) parts[i] = '<rand>';
    else parts[i] = part.replace(/\d{3,}/g, '<n>');
  }
  return parts.join('');
}

/** A path with its generated parts masked: /tmp/ccA1b2.o -> /tmp/<rand>.o, /proc/123/maps -> /proc/<n>/maps. */
export function pathTemplate(path: string): string {
  if (!path.includes('/')) return maskSegment(path);
  const temp = inTempDir(path);
  // Under a temp dir a name with any generated part is generated as a whole (vitest's /tmp/Apq-x7Fz).
  return path.split('/').map((seg) => {
    const m = maskSegment(seg);
    return temp && m !== seg && m.includes('<rand>') ? '<rand>' : m;
  }).join('/');
}

export function inTempDir(path: string): boolean {
  return TEMP_DIRS.some((d) => path.startsWith(d));
}

/** Directories deeper than this count as their ancestor at this depth in the file-write profile. */
export const WRITE_DIR_DEPTH = 2;

/**
 * The directory a path is in, templated and cut to WRITE_DIR_DEPTH
 * (/etc/cron.d, /root/.ssh, /usr/lib): the unit of the file-write profile.
 * Deeper trees (a package's own folders) would make every install news.
 */
export function dirTemplate(path: string): string {
  const i = path.lastIndexOf('/');
  const dir = i <= 0 ? '/' : path.slice(0, i);
  const parts = dir.split('/');
  return pathTemplate(parts.length > WRITE_DIR_DEPTH + 1 ? parts.slice(0, WRITE_DIR_DEPTH + 1).join('/') : dir);
}

function maskArg(arg: string): string {
  if (arg.length > MAX_TOKEN || /\s/.test(arg)) return '<str>';
  if (IPV4.test(arg)) return '<ip>';
  if (UUID.test(arg)) return '<uuid>';
  if (NUM.test(arg)) return '<n>';
  if (HEX.test(arg) && /\d/.test(arg)) return '<hex>';
  if (B64.test(arg) && /\d/.test(arg) && /[a-z]/.test(arg) && /[A-Z]/.test(arg)) return '<b64>';
  const eq = arg.indexOf('=');
  if (arg.startsWith('-') && eq > 0) return `${arg.slice(0, eq)}=${maskArg(arg.slice(eq + 1))}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return '<url>';
  if (arg.includes('/')) return pathTemplate(arg);
  return arg.replace(/\d{2,}/g, '<n>');
}

/** argv[1..] as a template (argv[0] is the exe's own name and says nothing new). */
export function argsTemplate(args: readonly string[] | undefined): string {
  if (!args || args.length <= 1) return '';
  const out = args.slice(1, 1 + MAX_TEMPLATE_ARGS).map(maskArg);
  if (args.length > 1 + MAX_TEMPLATE_ARGS) out.push('<more>');
  return out.join(' ');
}
