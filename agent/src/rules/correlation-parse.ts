// The `correlation:` section of a Sigma correlation rule (spec v2), checked
// and normalised. References to other rules are resolved later, once every
// file is loaded (see resolve.ts).
import { RuleSyntaxError } from './errors';
import { fieldSlot } from './event-view';
import type { CorrelationDef, CorrelationType, CountCondition, RuleMeta } from './types';
import { isMap } from './detection';

const TYPES = new Set<CorrelationType>(['event_count', 'value_count', 'temporal', 'temporal_ordered']);
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

export function parseTimespan(x: unknown): number | undefined {
  const m = typeof x === 'string' ? /^(\d+)([smhd])$/.exec(x.trim()) : null;
  if (!m || Number(m[1]) === 0) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]];
}


function parseCondition(x: unknown, type: CorrelationType, nRules: number): { cond: CountCondition; field?: string } {
  const P = ['correlation', 'condition'];
  if (x === undefined) {
    if (type === 'temporal' || type === 'temporal_ordered') return { cond: { gte: nRules } };
    throw new RuleSyntaxError(`a ${type} correlation needs a 'condition'`, ['correlation']);
  }
  if (!isMap(x)) throw new RuleSyntaxError('correlation condition must be a map like {gte: 10}', P);
  const cond: CountCondition = {};
  let field: string | undefined;
  for (const [k, v] of Object.entries(x)) {
    if (k === 'field') {
      if (typeof v !== 'string') throw new RuleSyntaxError("condition 'field' must be a field name", [...P, k]);
      field = v;
    } else if ((OPS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RuleSyntaxError(`condition '${k}' must be a number`, [...P, k]);
      cond[k as (typeof OPS)[number]] = v;
    } else throw new RuleSyntaxError(`unknown correlation condition '${k}' (gt, gte, lt, lte, eq, field)`, [...P, k]);
  }
  if (Object.keys(cond).length === 0) throw new RuleSyntaxError('correlation condition needs gt, gte, lt, lte or eq', P);
  if (type === 'value_count' && !field) throw new RuleSyntaxError("a value_count condition needs 'field'", P);
  if (field !== undefined && fieldSlot(field) === undefined) throw new RuleSyntaxError(`unknown field '${field}'`, [...P, 'field']);
  return { cond, field };
}

export function parseCorrelation(o: Record<string, unknown>, meta: RuleMeta): CorrelationDef {
  const c = o.correlation;
  if (!isMap(c)) throw new RuleSyntaxError("'correlation' must be a map", ['correlation']);
  const type = c.type as CorrelationType;
  if (!TYPES.has(type)) throw new RuleSyntaxError(`unknown correlation type '${String(c.type)}' (event_count, value_count, temporal, temporal_ordered)`, ['correlation', 'type']);
  const rules = typeof c.rules === 'string' ? [c.rules] : c.rules;
  if (!Array.isArray(rules) || rules.length === 0 || !rules.every((r) => typeof r === 'string')) {
    throw new RuleSyntaxError("correlation 'rules' must list rule ids or names", ['correlation', 'rules']);
  }
  const gb = c['group-by'] ?? [];
  const groupBy = typeof gb === 'string' ? [gb] : gb;
  if (!Array.isArray(groupBy) || !groupBy.every((g) => typeof g === 'string')) {
    throw new RuleSyntaxError("'group-by' must be a list of field names", ['correlation', 'group-by']);
  }
  const aliases: CorrelationDef['aliases'] = {};
  if (c.aliases !== undefined) {
    if (!isMap(c.aliases)) throw new RuleSyntaxError("'aliases' must be a map", ['correlation', 'aliases']);
    for (const [alias, per] of Object.entries(c.aliases)) {
      if (!isMap(per) || !Object.values(per).every((f) => typeof f === 'string' && fieldSlot(f) !== undefined)) {
        throw new RuleSyntaxError(`alias '${alias}' must map rule names to known fields`, ['correlation', 'aliases', alias]);
      }
      aliases[alias] = per as Record<string, string>;
    }
  }
  for (const g of groupBy as string[]) {
    if (!aliases[g] && fieldSlot(g) === undefined) throw new RuleSyntaxError(`unknown group-by field '${g}'`, ['correlation', 'group-by']);
  }
  const timespanMs = parseTimespan(c.timespan ?? o.timespan);
  if (timespanMs === undefined) throw new RuleSyntaxError("correlation needs a 'timespan' like 30s, 5m, 1h or 1d", ['correlation', 'timespan']);
  const { cond, field } = parseCondition(c.condition, type, rules.length);
  const gen = c.generate ?? o.generate ?? false;
  if (typeof gen !== 'boolean') throw new RuleSyntaxError("'generate' must be true or false", ['generate']);
  return {
    kind: 'correlation',
    meta: { ...meta, correlation: type },
    type,
    rules: rules as string[],
    groupBy: groupBy as string[],
    aliases,
    timespanMs,
    condition: cond,
    field,
    generate: gen,
  };
}
