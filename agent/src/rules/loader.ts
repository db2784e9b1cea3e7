// Finds rule files under the given directories, compiles every document and
// checks cross-rule references. Bad rules become {file, line, reason}; the
// good ones are returned so one typo never disables the rest.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { RuleSyntaxError, type RuleLoadError } from './errors';
import { compileDoc } from './rule-compiler';
import type { CompiledRule, CorrelationDef } from './types';
import { readRuleFile, type SourceDoc } from './yaml-source';
import { EXCEPTION_FILE, readExceptionFile, type RuleException } from './exceptions/exception-file';

export type LoadedRule = CompiledRule | CorrelationDef;

export interface LoadResult {
  rules: LoadedRule[];
  errors: RuleLoadError[];
  /** Files that compiled without an error this time, with their rules: the next load's last good versions. */
  good: Map<string, LoadedRule[]>;
  /** Files that failed this time and were replaced by their last good version. */
  kept: string[];
  /** Exceptions from *.exceptions.yml files in the same directories (docs/rules.md). */
  exceptions: RuleException[];
}

const RULE_FILE = /\.ya?ml$/i;

/** Rule ids the agent raises itself: exceptions may name them too. */
export const BUILTIN_RULE_IDS: readonly string[] = ['vigil-anomaly'];

/** Rule files (or, with `exceptions`, exception files) under `dir` or `dir` itself when it is a file, sorted. */
export function findRuleFiles(dir: string, errors: RuleLoadError[], kind: 'rules' | 'exceptions' | 'both' = 'rules'): string[] {
  const wanted = (name: string): boolean =>
    RULE_FILE.test(name) && (kind === 'both' || (kind === 'exceptions') === EXCEPTION_FILE.test(name));
  let st;
  try {
    st = statSync(dir);
  } catch {
    errors.push({ file: dir, line: 0, reason: 'rule path not found: check the rule directory setting' });
    return [];
  }
  if (st.isFile()) return kind === 'both' || (kind === 'exceptions') === EXCEPTION_FILE.test(dir) ? [dir] : [];
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 16) return;
    for (const ent of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (ent.name.startsWith('.')) continue;
      const p = join(d, ent.name);
      // Symlinks are followed: a Kubernetes ConfigMap mounts each file as a link into ..data/.
      let kind: Stats | undefined;
      if (ent.isSymbolicLink()) {
        try { kind = statSync(p); } catch { continue; }
      }
      if (kind ? kind.isDirectory() : ent.isDirectory()) walk(p, depth + 1);
      else if ((kind ? kind.isFile() : ent.isFile()) && wanted(ent.name)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

function compileOne(doc: SourceDoc, index: number, errors: RuleLoadError[]): LoadedRule | undefined {
  try {
    return compileDoc(doc.value, doc.file, doc.line, `${relative(process.cwd(), doc.file)}#${index}`);
  } catch (e) {
    if (e instanceof RuleSyntaxError) errors.push({ file: doc.file, line: doc.lineOf(e.path), reason: e.message });
    else errors.push({ file: doc.file, line: doc.line, reason: `internal error compiling rule: ${(e as Error).message}` });
    return undefined;
  }
}

/** Drop duplicates and correlations whose references are missing or cyclic. */
function resolve(all: LoadedRule[], errors: RuleLoadError[]): LoadedRule[] {
  const seen = new Map<string, LoadedRule>();
  const kept: LoadedRule[] = [];
  for (const r of all) {
    const keys = [r.meta.id, ...(r.meta.name && r.meta.name !== r.meta.id ? [r.meta.name] : [])];
    const dup = keys.find((k) => seen.has(k));
    if (dup) {
      const first = seen.get(dup) as LoadedRule;
      errors.push({ file: r.meta.file, line: r.meta.line, reason: `duplicate rule id/name '${dup}' (first defined in ${first.meta.file}:${first.meta.line})` });
      continue;
    }
    keys.forEach((k) => seen.set(k, r));
    kept.push(r);
  }
  // Iterate to a fixed point: removing a correlation may break one that refers to it.
  let live = kept;
  for (;;) {
    const byKey = new Map<string, LoadedRule>();
    for (const r of live) {
      byKey.set(r.meta.id, r);
      if (r.meta.name) byKey.set(r.meta.name, r);
    }
    const bad = new Map<LoadedRule, string>();
    for (const r of live) {
      if (r.kind !== 'correlation') continue;
      const missing = r.rules.find((ref) => !byKey.has(ref));
      if (missing) bad.set(r, `correlation refers to unknown or broken rule '${missing}'`);
      else if (reaches(r, r, byKey, new Set())) bad.set(r, 'correlation rules refer to each other in a cycle');
    }
    if (bad.size === 0) return live;
    for (const [r, reason] of bad) errors.push({ file: r.meta.file, line: r.meta.line, reason });
    live = live.filter((r) => !bad.has(r));
  }
}

function reaches(from: CorrelationDef, target: LoadedRule, byKey: Map<string, LoadedRule>, seen: Set<LoadedRule>): boolean {
  for (const ref of from.rules) {
    const r = byKey.get(ref);
    if (!r || r.kind !== 'correlation') continue;
    if (r === target) return true;
    if (seen.has(r)) continue;
    seen.add(r);
    if (reaches(r, target, byKey, seen)) return true;
  }
  return false;
}

/**
 * Loads every rule file. A file that fails (YAML, a rule that does not
 * compile) but loaded cleanly before keeps its last good rules from
 * `lastGood`, so a typo in a live rule never turns its detection off.
 */
export function loadRules(dirs: string | string[], lastGood: ReadonlyMap<string, LoadedRule[]> = new Map()): LoadResult {
  const errors: RuleLoadError[] = [];
  const all: LoadedRule[] = [];
  const good = new Map<string, LoadedRule[]>();
  const kept: string[] = [];
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) {
    for (const file of findRuleFiles(dir, errors)) {
      const fileErrors: RuleLoadError[] = [];
      const { docs, errors: yamlErrors } = readRuleFile(file);
      fileErrors.push(...yamlErrors);
      const rules: LoadedRule[] = [];
      docs.forEach((d, i) => {
        const r = compileOne(d, i, fileErrors);
        if (r) rules.push(r);
      });
      errors.push(...fileErrors);
      const previous = lastGood.get(file);
      if (fileErrors.length && previous) {
        kept.push(file);
        all.push(...previous);
        continue;
      }
      if (!fileErrors.length) good.set(file, rules);
      all.push(...rules);
    }
  }
  const rules = resolve(all, errors);
  return { rules, errors, good, kept, exceptions: loadExceptions(dirs, rules, errors) };
}

/** Exceptions of every *.exceptions.yml under `dirs`; one naming no loaded rule is an error and is dropped. */
function loadExceptions(dirs: string | string[], rules: LoadedRule[], errors: RuleLoadError[]): RuleException[] {
  const names = new Set<string>(BUILTIN_RULE_IDS);
  for (const r of rules) {
    names.add(r.meta.id);
    names.add(r.meta.title);
    if (r.meta.name) names.add(r.meta.name);
  }
  const out: RuleException[] = [];
  const ids = new Set<string>();
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) {
    for (const file of findRuleFiles(dir, [], 'exceptions')) {
      const { exceptions, errors: fileErrors } = readExceptionFile(file);
      errors.push(...fileErrors);
      for (const e of exceptions) {
        if (!names.has(e.rule)) errors.push({ file, line: 0, reason: `exception '${e.id}' names no loaded rule '${e.rule}': give a rule id or title` });
        else if (ids.has(e.id)) errors.push({ file, line: 0, reason: `duplicate exception id '${e.id}'` });
        else {
          ids.add(e.id);
          out.push(e);
        }
      }
    }
  }
  return out;
}
