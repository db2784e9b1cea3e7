// Which read-only opens a rule needs, as dentry names the kernel's default
// profile filter can check (bpf/lib/open_filter.h): the opened file's name
// ("shadow") or its directory's name ("sudoers.d"). The answer must cover
// every path the rule could match, so anything this cannot bound (a
// `contains`, a keyword search, a condition that is true without a path
// test) answers `all`, and the agent then ships every read.
//
// Limits, documented in docs/performance.md: names are matched exactly
// (Sigma values are case-insensitive), and a `startswith '/d/'` watches the
// files directly inside d, not deeper ones.
import { ofTargets, type CondAst } from './condition';
import { isMap, RESERVED } from './detection';

export type ReadNeed =
  | { kind: 'none' }
  | { kind: 'names'; files: string[]; dirs: string[] }
  | { kind: 'all'; reason: string };

const NONE: ReadNeed = { kind: 'none' };
const all = (reason: string): ReadNeed => ({ kind: 'all', reason });
/** `name`: the PATH record of auditd rules (auditd-fields.ts). */
const PATH_FIELDS = new Set(['targetfilename', 'file.path', 'name']);
const WILDCARD = /[*?]/;
const REGEX_META = /[.[\]()*+?{}|\\^$]/;

function union(needs: ReadNeed[]): ReadNeed {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const n of needs) {
    if (n.kind === 'all') return n;
    if (n.kind === 'names') {
      n.files.forEach((f) => files.add(f));
      n.dirs.forEach((d) => dirs.add(d));
    }
  }
  return { kind: 'names', files: [...files].sort(), dirs: [...dirs].sort() };
}

const file = (name: string): ReadNeed => ({ kind: 'names', files: [name], dirs: [] });
const dir = (name: string): ReadNeed => ({ kind: 'names', files: [], dirs: [name] });

/** Last component of the directory part of `p` ("/etc/ssh/x" -> "ssh"). */
function parentName(p: string): string | undefined {
  const parts = p.slice(0, p.lastIndexOf('/')).split('/');
  const name = parts[parts.length - 1];
  return name && !WILDCARD.test(name) && name !== '.' && name !== '..' ? name : undefined;
}

function fromRegex(re: string, what: string): ReadNeed {
  const tail = /\/([^/.[\]()*+?{}|\\^$]+)\$$/.exec(re);
  if (tail) return file(tail[1]); // ...'/mem$': the file's own name
  const body = re.startsWith('^') ? re.slice(1) : re;
  const m = REGEX_META.exec(body);
  const literal = m ? body.slice(0, m.index) : body;
  const rest = m ? body.slice(m.index) : '';
  // The rest must stay inside one path component for the parent to be fixed.
  if (!literal.includes('/') || /[./]|\\[SWD]|\[\^/.test(rest.replace(/\$$/, ''))) return all(`${what}: regex not bounded to one directory`);
  const d = parentName(literal);
  return d ? dir(d) : all(`${what}: regex without a directory name`);
}

function fromValue(mods: string[], v: unknown, what: string): ReadNeed {
  if (typeof v !== 'string') return all(`${what}: non-string value`);
  const op = mods.find((m) => m !== 'all' && m !== 'cased') ?? 'equals';
  const base = v.slice(v.lastIndexOf('/') + 1);
  switch (op) {
    case 'equals':
    case 'endswith':
      if (!v.includes('/')) return all(`${what}|${op} '${v}' does not name a whole file`);
      if (base && !WILDCARD.test(base)) return file(base);
      if (op === 'equals' && !WILDCARD.test(v.slice(0, v.lastIndexOf('/')))) {
        const d = parentName(v);
        if (d) return dir(d);
      }
      return all(`${what}|${op} '${v}' has no fixed file or directory name`);
    case 'startswith': {
      const d = parentName(v);
      return d ? dir(d) : all(`${what}|startswith '${v}' has no directory name`);
    }
    case 're':
      return fromRegex(v, `${what}|re`);
    default:
      return all(`${what}|${op} cannot be bounded by name`);
  }
}

function fromField(key: string, value: unknown): ReadNeed | undefined {
  const [field, ...mods] = key.split('|');
  if (!PATH_FIELDS.has(field.toLowerCase())) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return all(`${key}: empty list`);
  const needs = values.map((v) => fromValue(mods, v, field));
  // |all: every value must match, so any one of them bounds the paths.
  if (mods.includes('all')) return needs.find((n) => n.kind === 'names') ?? needs[0];
  return union(needs);
}

/** auditd records a read-only open makes (auditd-fields.ts): a selection on other types never sees one. */
const OPEN_RECORD_TYPES = new Set(['syscall', 'path', 'cwd']);
const OPEN_SYSCALLS = new Set(['open', 'openat', 'openat2', 'creat']);

/** A selection map is an AND: any path condition in it bounds it. */
function fromMap(map: Record<string, unknown>, id: string): ReadNeed {
  const types = map.type;
  if (types !== undefined && (Array.isArray(types) ? types : [types]).every((t) => typeof t === 'string' && !OPEN_RECORD_TYPES.has(t.toLowerCase()))) return NONE;
  const sys = map.SYSCALL ?? map.syscall;
  if (sys !== undefined && (Array.isArray(sys) ? sys : [sys]).every((x) => typeof x === 'string' && !OPEN_SYSCALLS.has(x.toLowerCase()))) return NONE;
  // EXECVE's a0..aN and argc exist on execs only: a selection that needs one never sees an open.
  if (Object.keys(map).some((k) => /^(a\d+|argc)(\|(?!exists)|$)/.test(k))) return NONE;
  let firstAll: ReadNeed | undefined;
  for (const [key, value] of Object.entries(map)) {
    const n = fromField(key, value);
    if (n?.kind === 'names') return n;
    if (n) firstAll ??= n;
  }
  return firstAll ?? all(`selection '${id}' has no file path condition`);
}

function fromIdentifier(value: unknown, id: string): ReadNeed {
  if (isMap(value)) return fromMap(value, id);
  if (Array.isArray(value) && value.length && value.every(isMap)) return union(value.map((m) => fromMap(m as Record<string, unknown>, id)));
  return all(`selection '${id}' is a keyword search`);
}

function fromCondition(ast: CondAst, ids: Record<string, ReadNeed>): ReadNeed {
  switch (ast.t) {
    case 'id':
      return ids[ast.name] ?? all(`condition uses unknown '${ast.name}'`);
    case 'not':
      return all('a negated condition is true for paths it does not name');
    case 'or':
      return union(ast.es.map((e) => fromCondition(e, ids)));
    case 'and': {
      const needs = ast.es.map((e) => fromCondition(e, ids));
      return needs.find((n) => n.kind !== 'all') ?? needs[0];
    }
    case 'of': {
      const needs = ofTargets(ast.target, Object.keys(ids)).map((n) => ids[n]);
      if (ast.quant === 'all') return needs.find((n) => n.kind !== 'all') ?? needs[0] ?? all('empty x of');
      return union(needs);
    }
  }
}

/**
 * The read-only opens a compiled rule can match. `readOpens`: its logsource
 * lets read-only opens through (LogsourceGate.readOpens). `conditions`: the parsed condition(s), an OR.
 */
export function readNeedOf(readOpens: boolean, detection: Record<string, unknown>, conditions: CondAst[]): ReadNeed {
  if (!readOpens) return NONE;
  const ids: Record<string, ReadNeed> = {};
  for (const [id, value] of Object.entries(detection)) {
    if (!RESERVED.has(id)) ids[id] = fromIdentifier(value, id);
  }
  return union(conditions.map((c) => fromCondition(c, ids)));
}

/** The union over a rule set: what the kernel's read watch must hold. */
export function mergeReadNeeds(needs: Array<{ id: string; need: ReadNeed }>): ReadNeed & { rule?: string } {
  const named: ReadNeed[] = [];
  for (const { id, need } of needs) {
    if (need.kind === 'all') return { ...need, reason: `rule ${id}: ${need.reason}`, rule: id };
    named.push(need);
  }
  return union(named);
}
