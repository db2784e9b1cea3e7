// Compiles one `Field|mod|mod: value(s)` entry (or a keyword list) into a
// Matcher. Case-insensitive by default, as Sigma specifies; `re` and `cased`
// are case-sensitive. A list field (Ancestors, Flags ...) matches when any
// element does.
import { compileCidr } from './cidr';
import { RuleSyntaxError, type YamlPath } from './errors';
import { fieldSlot, type EventView } from './event-view';
import { compilePattern, parseSigmaString, wrap } from './pattern';
import type { Matcher } from './types';
import { applyTransforms, TRANSFORMS, type Variant } from './value-transforms';

const FLAGS = new Set(['all', 'cased', 'neq']);
const KINDS = new Set(['re', 'cidr', 'gt', 'gte', 'lt', 'lte', 'exists', 'fieldref']);
const RE_SUB = new Set(['i', 'm', 's']);

function combine(preds: Matcher[], all: boolean): Matcher {
  if (preds.length === 1) return preds[0];
  return all ? (v) => preds.every((p) => p(v)) : (v) => preds.some((p) => p(v));
}

function numOf(x: unknown, path: YamlPath, mod: string): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (!Number.isFinite(n)) throw new RuleSyntaxError(`'${mod}' needs a number, got ${JSON.stringify(x)}`, path);
  return n;
}

function compileRegex(src: unknown, subs: string[], path: YamlPath): RegExp {
  if (typeof src !== 'string') throw new RuleSyntaxError('re needs a string value', path);
  let flags = subs.join('');
  let body = src;
  // Sigma rules often carry PCRE inline flags at the start, e.g. (?i)
  const inline = /^\(\?([ims]+)\)/.exec(body);
  if (inline) {
    flags += inline[1];
    body = body.slice(inline[0].length);
  }
  try {
    return new RegExp(body, [...new Set(flags)].join(''));
  } catch (e) {
    throw new RuleSyntaxError(`bad regular expression ${JSON.stringify(src)}: ${(e as Error).message}`, path);
  }
}

/** slot === null means a keyword search over the whole event. */
export function compileFieldCondition(field: string | null, mods: string[], raw: unknown, path: YamlPath): Matcher {
  let slot = -1;
  if (field !== null) {
    const s = fieldSlot(field);
    if (s === undefined) throw new RuleSyntaxError(`unknown field '${field}' (see the field table in docs/rules.md, or use a dotted ECS path)`, path);
    slot = s;
  }
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new RuleSyntaxError(`empty value list for '${field ?? 'keywords'}'`, path);
  const transforms: string[] = [];
  let kind: string | undefined;
  const reSubs: string[] = [];
  const flags = new Set<string>();
  for (const m of mods) {
    if (kind === 're' && RE_SUB.has(m)) reSubs.push(m);
    else if (TRANSFORMS.has(m)) transforms.push(m);
    else if (FLAGS.has(m)) flags.add(m);
    else if (KINDS.has(m)) {
      if (kind) throw new RuleSyntaxError(`modifiers '${kind}' and '${m}' cannot be combined`, path);
      kind = m;
    } else if (m === 'expand') throw new RuleSyntaxError(`modifier 'expand' (placeholders) is not supported`, path);
    else throw new RuleSyntaxError(`unknown modifier '${m}'`, path);
  }
  const all = flags.has('all');
  const cased = flags.has('cased');
  if (all && values.length < 2) throw new RuleSyntaxError(`'all' needs a list of two or more values`, path);
  if (field === null && cased) throw new RuleSyntaxError(`'cased' cannot be used with keywords`, path);
  if (field === null && flags.has('neq')) throw new RuleSyntaxError(`'neq' needs a field`, path);
  if (field === null && kind) throw new RuleSyntaxError(`modifier '${kind}' needs a field`, path);

  let out: Matcher;
  if (kind === 'exists') {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new RuleSyntaxError(`'exists' needs true or false`, path);
    const want = values[0];
    return (v) => (v.get(slot) !== null) === want;
  } else if (kind === 'gt' || kind === 'gte' || kind === 'lt' || kind === 'lte') {
    const k = kind;
    const preds = values.map((x): Matcher => {
      const n = numOf(x, path, k);
      const cmp = k === 'gt' ? (a: number) => a > n : k === 'gte' ? (a: number) => a >= n : k === 'lt' ? (a: number) => a < n : (a: number) => a <= n;
      return (v) => v.get(slot)?.nums.some(cmp) ?? false;
    });
    out = combine(preds, all);
  } else if (kind === 'cidr') {
    const preds = values.map((x): Matcher => {
      const p = typeof x === 'string' ? compileCidr(x) : null;
      if (!p) throw new RuleSyntaxError(`bad CIDR ${JSON.stringify(x)}`, path);
      return (v) => v.get(slot)?.strs.some(p) ?? false;
    });
    out = combine(preds, all);
  } else if (kind === 're') {
    const preds = values.map((x): Matcher => {
      const re = compileRegex(x, reSubs, path);
      return (v) => v.get(slot)?.strs.some((s) => re.test(s)) ?? false;
    });
    out = combine(preds, all);
  } else if (kind === 'fieldref') {
    out = combine(values.map((x) => fieldRef(slot, x, transforms, cased, path)), all);
  } else {
    out = combine(values.map((x) => valueMatcher(slot, x, transforms, cased, path)), all);
  }
  if (flags.has('neq')) {
    const eq = out;
    return (v) => v.get(slot) !== null && !eq(v);
  }
  return out;
}

function valueMatcher(slot: number, x: unknown, transforms: string[], cased: boolean, path: YamlPath): Matcher {
  if (x === null) {
    if (slot < 0) throw new RuleSyntaxError('null is not a keyword', path);
    return (v) => {
      const f = v.get(slot);
      return f === null || f.strs.length === 0 || f.strs.every((s) => s === '');
    };
  }
  let parts;
  if (typeof x === 'string') parts = parseSigmaString(x);
  else if (typeof x === 'number' || typeof x === 'boolean') parts = [String(x)];
  else throw new RuleSyntaxError(`value must be a string, number, boolean or null, got ${JSON.stringify(x)}`, path);
  // Keywords are unbound full-text searches: match anywhere in a value.
  if (slot < 0) parts = wrap(parts, true, true);
  const variants = applyTransforms({ parts, cased }, transforms, path);
  if (slot < 0) {
    // keyword text is pre-lowered once per event, so compile case-insensitively
    const ps = variants.map((vt) => compilePattern(vt.parts, false));
    return (v) => v.keywords().some((s) => ps.some((p) => p(s)));
  }
  const preds = variants.map((vt: Variant) => ({ p: compilePattern(vt.parts, vt.cased), cased: vt.cased }));
  if (preds.length === 1) {
    const { p, cased: c } = preds[0];
    return c ? (v) => v.get(slot)?.strs.some(p) ?? false : (v) => v.lower(slot)?.some(p) ?? false;
  }
  return (v) => preds.some(({ p, cased: c }) => (c ? v.get(slot)?.strs : v.lower(slot))?.some(p) ?? false);
}

function fieldRef(slot: number, x: unknown, transforms: string[], cased: boolean, path: YamlPath): Matcher {
  if (typeof x !== 'string') throw new RuleSyntaxError('fieldref needs a field name', path);
  const other = fieldSlot(x);
  if (other === undefined) throw new RuleSyntaxError(`fieldref: unknown field '${x}'`, path);
  const bad = transforms.find((t) => t !== 'contains' && t !== 'startswith' && t !== 'endswith');
  if (bad) throw new RuleSyntaxError(`'${bad}' cannot be combined with fieldref`, path);
  const op: (a: string, b: string) => boolean = transforms.includes('contains') ? (a, b) => a.includes(b)
    : transforms.includes('startswith') ? (a, b) => a.startsWith(b)
    : transforms.includes('endswith') ? (a, b) => a.endsWith(b) : (a, b) => a === b;
  const pick = (v: EventView, s: number): string[] | null => (cased ? v.get(s)?.strs ?? null : v.lower(s));
  return (v) => {
    const a = pick(v, slot);
    const b = pick(v, other);
    if (!a || !b) return false;
    return a.some((s) => b.some((t) => op(s, t)));
  };
}
