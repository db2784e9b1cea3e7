// Sigma value modifiers that rewrite the searched-for value before matching:
// contains/startswith/endswith, windash, base64, base64offset and the utf16
// encodings. Applied left to right as written in the rule.
import { RuleSyntaxError, type YamlPath } from './errors';
import { hasWildcard, literalOf, normalise, wrap, type Part } from './pattern';

/** One candidate form of a value; `cased` is forced for base64 output. */
export interface Variant {
  parts: Part[];
  cased: boolean;
  bytes?: Buffer;
}

export const TRANSFORMS = new Set([
  'contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide',
]);

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_VARIANTS = 4096;

function windash(v: Variant): Variant[] {
  let out: Part[][] = [[]];
  for (const p of v.parts) {
    if (typeof p !== 'string') {
      out = out.map((o) => [...o, p]);
      continue;
    }
    let strs = [''];
    for (const ch of p) {
      const alts = DASHES.includes(ch) ? DASHES : [ch];
      strs = strs.flatMap((s) => alts.map((a) => s + a));
      if (strs.length * out.length > MAX_VARIANTS) throw new Error('windash: too many dash characters in one value');
    }
    out = out.flatMap((o) => strs.map((s) => [...o, s]));
  }
  return out.map((parts) => ({ parts: normalise(parts), cased: v.cased }));
}

function bytesOf(v: Variant, mod: string): Buffer {
  if (v.bytes) return v.bytes;
  if (hasWildcard(v.parts)) throw new Error(`'${mod}' cannot encode wildcards: put contains/startswith/endswith after it`);
  return Buffer.from(literalOf(v.parts), 'utf8');
}

function utf16(v: Variant, mod: string): Variant {
  if (v.bytes) throw new Error(`'${mod}' applied twice`);
  if (hasWildcard(v.parts)) throw new Error(`'${mod}' cannot encode wildcards`);
  const s = literalOf(v.parts);
  let b = Buffer.from(s, 'utf16le');
  if (mod === 'utf16be') b = Buffer.from(b).swap16();
  if (mod === 'utf16') b = Buffer.concat([Buffer.from([0xff, 0xfe]), b]);
  return { parts: v.parts, cased: true, bytes: b };
}

function base64offset(v: Variant): Variant[] {
  const b = bytesOf(v, 'base64offset');
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: Variant[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), b]).toString('base64');
    out.push({ parts: [enc.slice(starts[i], ends[(b.length + i) % 3])], cased: true });
  }
  return out;
}

export function applyTransforms(initial: Variant, mods: string[], path: YamlPath): Variant[] {
  let vs = [initial];
  try {
    for (const m of mods) {
      switch (m) {
        case 'contains': vs = vs.map((v) => ({ ...v, parts: wrap(v.parts, true, true) })); break;
        case 'startswith': vs = vs.map((v) => ({ ...v, parts: wrap(v.parts, false, true) })); break;
        case 'endswith': vs = vs.map((v) => ({ ...v, parts: wrap(v.parts, true, false) })); break;
        case 'windash': vs = vs.flatMap(windash); break;
        case 'base64': vs = vs.map((v) => ({ parts: [bytesOf(v, m).toString('base64')], cased: true })); break;
        case 'base64offset': vs = vs.flatMap(base64offset); break;
        default: vs = vs.map((v) => utf16(v, m === 'wide' ? 'utf16le' : m));
      }
    }
  } catch (e) {
    throw new RuleSyntaxError((e as Error).message, path);
  }
  if (vs.some((v) => v.bytes)) throw new RuleSyntaxError('utf16 modifiers must be followed by base64 or base64offset', path);
  return vs;
}
