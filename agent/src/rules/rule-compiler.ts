// One YAML document -> a compiled rule or a correlation definition. Throws
// RuleSyntaxError with the YAML path of the problem.
import { compileCondition, parseCondition } from './condition';
import { anyOf, compileDetection } from './detection';
import { RuleSyntaxError } from './errors';
import { compileLogsource } from './logsource';
import { parseCorrelation } from './correlation-parse';
import { readNeedOf } from './read-watch';
import { execNamesOf } from './exec-names';
import { RESPONSE_ACTIONS, type CompiledRule, type CorrelationDef, type Matcher, type ResponseAction, type RuleMeta, type SigmaLevel } from './types';

const LEVELS = new Set<SigmaLevel>(['informational', 'low', 'medium', 'high', 'critical']);

const strList = (x: unknown, key: string): string[] => {
  if (x === undefined || x === null) return [];
  if (typeof x === 'string') return [x];
  if (Array.isArray(x) && x.every((s) => typeof s === 'string')) return x as string[];
  throw new RuleSyntaxError(`'${key}' must be a list of strings`, [key]);
};
const optStr = (o: Record<string, unknown>, key: string): string | undefined => {
  const x = o[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'string' && typeof x !== 'number') throw new RuleSyntaxError(`'${key}' must be a string`, [key]);
  return String(x);
};

export function ruleMeta(o: Record<string, unknown>, file: string, line: number, fallbackId: string): RuleMeta {
  const title = optStr(o, 'title');
  if (!title) throw new RuleSyntaxError("rule has no 'title'", []);
  const level = (optStr(o, 'level') ?? 'medium').toLowerCase() as SigmaLevel;
  if (!LEVELS.has(level)) throw new RuleSyntaxError(`unknown level '${level}' (informational, low, medium, high, critical)`, ['level']);
  const name = optStr(o, 'name');
  const response = strList(o.response, 'response').map((a) => a.toLowerCase());
  for (const a of response) {
    if (!(RESPONSE_ACTIONS as readonly string[]).includes(a)) {
      throw new RuleSyntaxError(`unknown response '${a}' (${RESPONSE_ACTIONS.join(', ')})`, ['response']);
    }
  }
  return {
    id: optStr(o, 'id') ?? name ?? fallbackId,
    title,
    name,
    description: optStr(o, 'description'),
    level,
    status: optStr(o, 'status'),
    tags: strList(o.tags, 'tags').map((t) => t.toLowerCase()),
    author: optStr(o, 'author'),
    references: strList(o.references, 'references'),
    falsepositives: strList(o.falsepositives, 'falsepositives'),
    file,
    line,
    ...(response.length ? { response: response as ResponseAction[] } : {}),
  };
}

function compileMatcher(o: Record<string, unknown>): Pick<CompiledRule, 'actions' | 'match' | 'readNeed' | 'execNames'> {
  if (o.logsource === undefined) throw new RuleSyntaxError("rule has no 'logsource'", []);
  if (o.detection === undefined) throw new RuleSyntaxError("rule has no 'detection'", []);
  const ls = compileLogsource(o.logsource, ['logsource']);
  const ids = compileDetection(o.detection, ['detection'], ls.keywordField);
  const cond = (o.detection as Record<string, unknown>).condition;
  const condPath = ['detection', 'condition'];
  if (cond === undefined) throw new RuleSyntaxError("detection has no 'condition'", ['detection']);
  const texts = typeof cond === 'string' ? [cond] : Array.isArray(cond) && cond.every((c) => typeof c === 'string') ? (cond as string[]) : null;
  if (!texts || texts.length === 0) throw new RuleSyntaxError('condition must be a string or a list of strings', condPath);
  // A list of conditions is an OR of them (Sigma 1.x form).
  const asts = texts.map((t) => parseCondition(t, condPath));
  const body = anyOf(asts.map((a) => compileCondition(a, ids, condPath)));
  const gate = ls.gate;
  const readNeed = readNeedOf(ls.readOpens, o.detection as Record<string, unknown>, asts);
  // process_creation is the one category whose only action is exec (successful ones).
  const execOnly = ls.actions?.size === 1 && ls.actions.has('exec') && !ls.keywordField;
  const execNames = execNamesOf(execOnly, o.detection as Record<string, unknown>, asts);
  return { actions: ls.actions, match: gate ? (v) => gate(v) && body(v) : body, readNeed, ...(execNames ? { execNames } : {}) };
}

export function compileDoc(value: unknown, file: string, line: number, fallbackId: string): CompiledRule | CorrelationDef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RuleSyntaxError('a rule must be a YAML map', []);
  const o = value as Record<string, unknown>;
  if (o.action !== undefined) throw new RuleSyntaxError("rule collections ('action: global/reset/repeat') are not supported", ['action']);
  const meta = ruleMeta(o, file, line, fallbackId);
  if (o.correlation !== undefined) return parseCorrelation(o, meta);
  return { kind: 'rule', meta, ...compileMatcher(o) };
}
