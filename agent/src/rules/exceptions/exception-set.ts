// The live exceptions, compiled: per rule (by id and by title) a list of
// predicates over the alert's last event. Patterns are Sigma strings (`*` any
// run of characters, `/` included; `?` one; `\` escapes them), compiled by the
// rule engine's own pattern compiler; matching is case-sensitive, as paths are.
import type { EcsEvent } from '../../model/ecs-event';
import { FIELD_MAP, pathGetter, type Getter } from '../field-map';
import { compilePattern, parseSigmaString } from '../pattern';
import type { RuleMeta } from '../types';
import type { ExceptionField, RuleException } from './exception-file';

interface Compiled {
  exc: RuleException;
  tests: { get: Getter; patterns: ((s: string) => boolean)[] }[];
}

const GETTERS: Record<ExceptionField, Getter> = {
  'process.executable': pathGetter('process.executable'),
  'process.name': pathGetter('process.name'),
  'process.command_line': FIELD_MAP.CommandLine,
  'process.parent.executable': pathGetter('process.parent.executable'),
  'process.ancestors.executable': FIELD_MAP.Ancestors,
  'file.path': FIELD_MAP.TargetFilename,
  'destination.ip': pathGetter('destination.ip'),
  'user.name': FIELD_MAP.User,
  'container.id': pathGetter('container.id'),
  'host.name': pathGetter('host.name'),
};

function values(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((x) => x !== undefined && x !== null).map(String);
}

export class ExceptionSet {
  private readonly byRule = new Map<string, Compiled[]>();
  /** Alerts each exception silenced since it was loaded (by exception id). */
  readonly hits = new Map<string, number>();

  constructor(readonly exceptions: readonly RuleException[] = []) {
    for (const exc of exceptions) {
      const tests = Object.entries(exc.match).map(([field, pats]) => ({
        get: GETTERS[field as ExceptionField],
        patterns: (pats ?? []).map((p) => compilePattern(parseSigmaString(p), true)),
      }));
      const list = this.byRule.get(exc.rule) ?? [];
      list.push({ exc, tests });
      this.byRule.set(exc.rule, list);
    }
  }

  get size(): number {
    return this.exceptions.length;
  }

  /** Exceptions naming this rule (by id or title). */
  forRule(rule: Pick<RuleMeta, 'id' | 'title'>): RuleException[] {
    return [...(this.byRule.get(rule.id) ?? []), ...(rule.title !== rule.id ? this.byRule.get(rule.title) ?? [] : [])].map((c) => c.exc);
  }

  /** The exception that silences `rule` on `ev`, if any. */
  covering(rule: Pick<RuleMeta, 'id' | 'title'>, ev: EcsEvent | undefined, nowMs = Date.now()): RuleException | undefined {
    if (!ev || this.byRule.size === 0) return undefined;
    const lists = [this.byRule.get(rule.id), rule.title !== rule.id ? this.byRule.get(rule.title) : undefined];
    for (const list of lists) {
      if (!list) continue;
      for (const c of list) {
        if (c.exc.expires_ms !== undefined && nowMs >= c.exc.expires_ms) continue;
        if (c.tests.every((t) => values(t.get(ev)).some((v) => t.patterns.some((p) => p(v))))) {
          this.hits.set(c.exc.id, (this.hits.get(c.exc.id) ?? 0) + 1);
          return c.exc;
        }
      }
    }
    return undefined;
  }
}
