// Sigma string values: `*` and `?` wildcards, `\` escaping them (and itself),
// compiled to the cheapest JS check that does the job (===, startsWith,
// endsWith, includes) and to an anchored RegExp only when needed.

export const STAR = 1;
export const QMARK = 2;
/** A parsed Sigma string: literal runs and wildcards. */
export type Part = string | typeof STAR | typeof QMARK;

export function parseSigmaString(s: string): Part[] {
  const out: Part[] = [];
  let lit = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && (s[i + 1] === '*' || s[i + 1] === '?' || s[i + 1] === '\\')) {
      lit += s[++i];
    } else if (c === '*' || c === '?') {
      if (lit) out.push(lit);
      lit = '';
      out.push(c === '*' ? STAR : QMARK);
    } else lit += c;
  }
  if (lit) out.push(lit);
  return normalise(out);
}

/** Merge adjacent literals and collapse runs of `*`. */
export function normalise(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p === STAR && last === STAR) continue;
    else if (p !== '') out.push(p);
  }
  return out;
}

export const hasWildcard = (parts: Part[]): boolean => parts.some((p) => typeof p !== 'string');
export const literalOf = (parts: Part[]): string => parts.map((p) => (typeof p === 'string' ? p : p === STAR ? '*' : '?')).join('');

export function wrap(parts: Part[], start: boolean, end: boolean): Part[] {
  const out = parts.slice();
  if (start && out[0] !== STAR) out.unshift(STAR);
  if (end && out[out.length - 1] !== STAR) out.push(STAR);
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A predicate over one string. When `cased` is false the caller passes the
 * lower-cased string and the literals here are lower-cased to match.
 */
export function compilePattern(parts: Part[], cased: boolean): (s: string) => boolean {
  const ps = cased ? parts : parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p));
  const n = ps.length;
  if (n === 0) return (s) => s === '';
  const [a, b, c] = ps;
  if (n === 1 && typeof a === 'string') return (s) => s === a;
  if (n === 1 && a === STAR) return () => true;
  if (n === 2 && a === STAR && typeof b === 'string') return (s) => s.endsWith(b);
  if (n === 2 && typeof a === 'string' && b === STAR) return (s) => s.startsWith(a);
  if (n === 3 && a === STAR && typeof b === 'string' && c === STAR) return (s) => s.includes(b);
  const src = ps.map((p) => (typeof p === 'string' ? escapeRe(p) : p === STAR ? '.*' : '.')).join('');
  const re = new RegExp(`^${src}$`, 's');
  return (s) => re.test(s);
}
