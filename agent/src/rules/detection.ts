// The `detection` section: each search identifier becomes a Matcher.
//   map            -> AND of its field conditions
//   list of maps   -> OR of the maps
//   list of values -> keywords (OR), searched across the whole event
import { RuleSyntaxError, type YamlPath } from './errors';
import { compileFieldCondition } from './field-condition';
import type { Matcher } from './types';

/** Keys of `detection` that are not search identifiers. */
export const RESERVED = new Set(['condition', 'timeframe']);

export const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

export function andAll(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0];
  if (ms.length === 2) {
    const [a, b] = ms;
    return (v) => a(v) && b(v);
  }
  return (v) => {
    for (const m of ms) if (!m(v)) return false;
    return true;
  };
}

export function anyOf(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0];
  if (ms.length === 2) {
    const [a, b] = ms;
    return (v) => a(v) || b(v);
  }
  return (v) => {
    for (const m of ms) if (m(v)) return true;
    return false;
  };
}

function compileMap(map: Record<string, unknown>, path: YamlPath): Matcher {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new RuleSyntaxError('empty selection map', path);
  return andAll(
    keys.map((key) => {
      const [field, ...mods] = key.split('|');
      return compileFieldCondition(field === '' ? null : field, mods, map[key], [...path, key]);
    }),
  );
}

/** Keywords: a full-text search of the event, or `contains` on one field when the logsource says which. */
const keywords = (values: unknown[], path: YamlPath, field?: string): Matcher =>
  field ? compileFieldCondition(field, ['contains'], values, path) : compileFieldCondition(null, [], values, path);

function compileIdentifier(value: unknown, path: YamlPath, keywordField?: string): Matcher {
  if (isMap(value)) return compileMap(value, path);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleSyntaxError('empty search identifier', path);
    if (value.every(isMap)) return anyOf(value.map((m, i) => compileMap(m as Record<string, unknown>, [...path, i])));
    if (value.some((x) => isMap(x) || Array.isArray(x))) throw new RuleSyntaxError('a list must hold only maps or only keywords', path);
    return keywords(value, path, keywordField);
  }
  if (typeof value === 'string' || typeof value === 'number') return keywords([value], path, keywordField);
  throw new RuleSyntaxError('a search identifier must be a map, a list of maps or a list of keywords', path);
}

/** Search identifier name -> matcher. `path` points at the detection section; `keywordField`: see LogsourceGate. */
export function compileDetection(det: unknown, path: YamlPath, keywordField?: string): Map<string, Matcher> {
  if (!isMap(det)) throw new RuleSyntaxError("'detection' must be a map", path);
  const out = new Map<string, Matcher>();
  for (const [name, value] of Object.entries(det)) {
    if (RESERVED.has(name)) continue;
    out.set(name, compileIdentifier(value, [...path, name], keywordField));
  }
  return out;
}
