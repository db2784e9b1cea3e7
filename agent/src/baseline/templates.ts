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

/**
 * A name that looks generated (mkstemp, compilers, test copies): it mixes
 * digits into letters, or is long with no vowels. Meaningful names
 * (payload.sh, exploit, backup.tar) stay as they are.
 */
function looksRandom(name: string): boolean {
  const stem = name.replace(/\.[a-z0-9]{1,4}$/i, '');
  if (stem.length < 5) return false;
  // Generated names switch between letters and digits, or between cases, often.
  let kind = 0;
  let digitFlips = 0;
  let caseFlips = 0;
  let prevCase = 0;
  for (const ch of stem) {
    const k = /\d/.test(ch) ? 1 : /[a-z]/i.test(ch) ? 2 : 0;
    if (k && kind && k !== kind) digitFlips++;
    if (k) kind = k;
    const c = /[A-Z]/.test(ch) ? 1 : /[a-z]/.test(ch) ? 2 : 0;
    if (c && prevCase && c !== prevCase) caseFlips++;
    if (c) prevCase = c;
  }
  return digitFlips >= 3 || caseFlips >= 4;
}

function maskSegment(seg: string): string {
  if (seg === '') return seg;
  if (UUID.test(seg)) return '<uuid>';
  if (NUM.test(seg)) return '<n>';
  if (HEX.test(seg) && /\d/.test(seg)) return '<hex>';
  if (looksRandom(seg)) return '<rand>';
  return seg.replace(/\d{2,}/g, '<n>');
}

/** A path with its generated parts masked: /tmp/ccA1b2.o -> /tmp/<rand>, /proc/123/maps -> /proc/<n>/maps. */
export function pathTemplate(path: string): string {
  if (!path.includes('/')) return maskSegment(path);
  return path.split('/').map(maskSegment).join('/');
}

export function inTempDir(path: string): boolean {
  return TEMP_DIRS.some((d) => path.startsWith(d));
}

/** The directory a path is in, templated: the unit of the file-write profile. */
export function dirTemplate(path: string): string {
  const i = path.lastIndexOf('/');
  return pathTemplate(i <= 0 ? '/' : path.slice(0, i));
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
