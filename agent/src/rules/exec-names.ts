// Which rules the kernel can decide by the executable's file name alone
// (bpf/lib/respond.h carries their kill or kill-tree out at exec, before
// the new image runs). Only an exact answer will do: every exec the kernel
// acts on must be one the rule matches, so the only shape accepted is
// "Image|endswith '/NAME'" (any number of names, ORed), with nothing else
// in the rule. The kernel compares names case-sensitively, a subset of
// Sigma's case-insensitive match: other spellings still reach the rule in
// user space, which responds from there.
import { ofTargets, type CondAst } from './condition';
import { isMap, RESERVED } from './detection';
import { parseSigmaString } from './pattern';

/** bpf/events.h VIGIL_RESPOND_NAME_MAX, less the NUL and the byte that keeps a truncated kernel copy from matching. */
export const EXEC_NAME_MAX_BYTES = 62;

const IMAGE_FIELDS = new Set(['Image', 'process.executable']);

/** The file name an `endswith` value pins down exactly, or undefined. */
function nameOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const parts = parseSigmaString(v);
  if (parts.length !== 1 || typeof parts[0] !== 'string') return undefined; // wildcards
  const lit = parts[0];
  if (!lit.startsWith('/')) return undefined;
  const name = lit.slice(1);
  if (!name || name.includes('/') || name === '.' || name === '..' || name.includes('\0')) return undefined;
  return Buffer.byteLength(name) <= EXEC_NAME_MAX_BYTES ? name : undefined;
}

/** A selection map: exactly one key, `Image|endswith` (|cased allowed), every value a name. */
function fromMap(map: Record<string, unknown>): string[] | undefined {
  const keys = Object.keys(map);
  if (keys.length !== 1) return undefined;
  const [field, ...mods] = keys[0].split('|');
  if (!IMAGE_FIELDS.has(field) || !mods.includes('endswith') || mods.some((m) => m !== 'endswith' && m !== 'cased')) return undefined;
  const raw = map[keys[0]];
  const values = Array.isArray(raw) ? raw : [raw];
  const names = values.map(nameOf);
  return values.length && names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

function fromIdentifier(value: unknown): string[] | undefined {
  if (isMap(value)) return fromMap(value);
  if (!Array.isArray(value) || !value.length || !value.every(isMap)) return undefined;
  const lists = value.map((m) => fromMap(m as Record<string, unknown>));
  return lists.every((l) => l) ? (lists as string[][]).flat() : undefined;
}

function fromCondition(ast: CondAst, ids: Map<string, string[] | undefined>): string[] | undefined {
  const union = (lists: (string[] | undefined)[]): string[] | undefined =>
    lists.length && lists.every((l) => l) ? (lists as string[][]).flat() : undefined;
  switch (ast.t) {
    case 'id':
      return ids.get(ast.name);
    case 'or':
      return union(ast.es.map((e) => fromCondition(e, ids)));
    case 'of':
      return ast.quant === 1 ? union(ofTargets(ast.target, ids.keys()).map((n) => ids.get(n))) : undefined;
    default:
      return undefined; // and, not: the name alone does not decide
  }
}

/**
 * The executable names that decide this rule, or undefined when its match
 * needs more than the name. `execOnly`: the logsource is process_creation
 * (successful execs, nothing else). `conditions`: the parsed condition(s), an OR.
 */
export function execNamesOf(execOnly: boolean, detection: Record<string, unknown>, conditions: CondAst[]): string[] | undefined {
  if (!execOnly) return undefined;
  const ids = new Map<string, string[] | undefined>();
  for (const [id, value] of Object.entries(detection)) if (!RESERVED.has(id)) ids.set(id, fromIdentifier(value));
  const names = fromCondition(conditions.length === 1 ? conditions[0] : { t: 'or', es: conditions }, ids);
  return names && [...new Set(names)].sort();
}
