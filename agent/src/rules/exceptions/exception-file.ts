// Rule exceptions: files named *.exceptions.yml next to the rules (any rule
// directory), format in docs/rules.md (Exceptions). Parsing and validation
// only; a bad entry is a RuleLoadError and the file's other entries still load.
import type { RuleLoadError } from '../errors';
import { readRuleFile } from '../yaml-source';
import { EXCEPTION_FIELDS, matchesEverything, type ExceptionField } from '../../../../proto/src/exception-fields';

export const EXCEPTION_FILE = /\.exceptions\.ya?ml$/i;

export { EXCEPTION_FIELDS, type ExceptionField };

export interface RuleException {
  id: string;
  /** Rule id or title the exception silences (only that rule). */
  rule: string;
  /** Every field must match; a field matches when any of its patterns does (`*` and `?` wildcards). */
  match: Partial<Record<ExceptionField, string[]>>;
  comment?: string;
  /** Epoch ms after which it no longer applies. */
  expires_ms?: number;
  /** Where it came from: a file path, or `control-plane`. */
  source: string;
}

const MAX_PATTERNS = 256;
const MAX_PATTERN = 4096;

export class ExceptionSyntaxError extends Error {
  readonly code = 'VIGIL_ERR_EXCEPTION_SYNTAX';
  constructor(reason: string) {
    super(reason);
    this.name = 'ExceptionSyntaxError';
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Validates one exception entry (from a file or the control plane); throws ExceptionSyntaxError. */
export function validateException(raw: unknown, source: string, fallbackId: string): RuleException {
  if (!isRecord(raw)) throw new ExceptionSyntaxError('an exception is a map with rule: and match:');
  const known = new Set(['id', 'rule', 'match', 'comment', 'expires']);
  const extra = Object.keys(raw).find((k) => !known.has(k));
  if (extra) throw new ExceptionSyntaxError(`unknown key '${extra}' (expected id, rule, match, comment, expires)`);
  const rule = raw.rule;
  if (typeof rule !== 'string' || !rule.trim()) throw new ExceptionSyntaxError('rule: must name one rule by id or title');
  if (/^[*?]+$/.test(rule.trim())) throw new ExceptionSyntaxError('rule: must name one rule, not a wildcard');
  const id = raw.id === undefined ? fallbackId : raw.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(id)) throw new ExceptionSyntaxError('id: letters, digits and . _ : - only, at most 128');
  if (!isRecord(raw.match) || Object.keys(raw.match).length === 0) {
    throw new ExceptionSyntaxError('match: is empty, so the exception would silence every alert of the rule; name at least one field');
  }
  const match: RuleException['match'] = {};
  for (const [field, value] of Object.entries(raw.match)) {
    if (!(EXCEPTION_FIELDS as readonly string[]).includes(field)) {
      throw new ExceptionSyntaxError(`match: unknown field '${field}' (one of ${EXCEPTION_FIELDS.join(', ')})`);
    }
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.length > MAX_PATTERNS) throw new ExceptionSyntaxError(`match.${field}: give 1 to ${MAX_PATTERNS} values`);
    for (const v of list) {
      if (typeof v !== 'string' && typeof v !== 'number') throw new ExceptionSyntaxError(`match.${field}: values are strings`);
      const s = String(v);
      if (!s.length || s.length > MAX_PATTERN) throw new ExceptionSyntaxError(`match.${field}: a value is empty or over ${MAX_PATTERN} characters`);
      if (matchesEverything(s)) throw new ExceptionSyntaxError(`match.${field}: '${s}' matches everything; name a value`);
    }
    match[field as ExceptionField] = list.map(String);
  }
  if (raw.comment !== undefined && (typeof raw.comment !== 'string' || raw.comment.length > 4000)) {
    throw new ExceptionSyntaxError('comment: a string of at most 4000 characters');
  }
  let expires_ms: number | undefined;
  if (raw.expires !== undefined) {
    const t = raw.expires instanceof Date ? raw.expires.getTime() : typeof raw.expires === 'string' ? Date.parse(raw.expires) : NaN;
    if (!Number.isFinite(t)) throw new ExceptionSyntaxError('expires: an ISO 8601 time such as 2027-01-31T00:00:00Z');
    expires_ms = t;
  }
  return { id, rule: rule.trim(), match, comment: raw.comment as string | undefined, expires_ms, source };
}

/** Every exception of one file; bad entries become errors (with their line), the rest load. */
export function readExceptionFile(file: string): { exceptions: RuleException[]; errors: RuleLoadError[] } {
  const { docs, errors } = readRuleFile(file);
  if (errors.length || docs.length === 0) return { exceptions: [], errors };
  const [doc] = docs;
  if (docs.length > 1 || !isRecord(doc.value) || !Array.isArray(doc.value.exceptions)) {
    return { exceptions: [], errors: [{ file, line: doc.line, reason: 'an exception file holds one map with an `exceptions:` list' }] };
  }
  const exceptions: RuleException[] = [];
  const stem = file.replace(/^.*\//, '').replace(EXCEPTION_FILE, '');
  doc.value.exceptions.forEach((raw, i) => {
    try {
      exceptions.push(validateException(raw, file, `${stem}-${i + 1}`));
    } catch (e) {
      errors.push({ file, line: doc.lineOf(['exceptions', i]), reason: `exception ${i + 1}: ${(e as Error).message}` });
    }
  });
  return { exceptions, errors };
}
