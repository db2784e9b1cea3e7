// The two halves every ECS <-> message mapping needs. Taking: a typed field
// takes a value out of (a copy of) the document only when the value is of
// its type and not the type's default, so what is absent stays absent and a
// zero travels in `extensions`, not as "unset". Whatever is left becomes the
// `extensions` tree. Putting: typed fields are written back at their paths
// and the extensions merged in, which gives the document that was taken.
import type { DeepPartial, Fields, Value } from './types';

export type Doc = Record<string, unknown>;
export type Path = readonly string[];

export const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document in a 1.2 message's `json`, when it holds a JSON object. */
export function legacyDoc(json: string | undefined): Doc | undefined {
  if (!json) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined; // not JSON: the typed fields are all there is
  }
}

/** Sets an own property even for "__proto__", which plain assignment would turn into a prototype. */
export function setOwn(o: Doc, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const U32 = 0xffffffff;
const I32 = 0x7fffffff;

/** A deep copy with JSON's view of the value: undefined and functions gone, bigint as a decimal string. */
export function jsonCopy(v: unknown): unknown {
  try {
    // The native round trip is the fast path; it throws on a bigint.
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  } catch {
    return slowCopy(v);
  }
}

/** Deeper than any document; a cycle ends here as null instead of a stack overflow. */
const MAX_DEPTH = 64;

function slowCopy(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : slowCopy(x, depth + 1)));
  if (isObject(v)) {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return slowCopy((v as { toJSON: () => unknown }).toJSON(), depth + 1);
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function' && typeof x !== 'symbol') setOwn(out, k, slowCopy(x, depth + 1));
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** How a typed field takes its value: the Taker check of the same name. */
export type FieldKind = 'str' | 'strs' | 'true' | 'u32' | 'i32' | 'u64' | 'i64';

/** One message's typed fields as [protobuf field, ECS path, kind]: both directions read the same table. */
export type FieldTable = ReadonlyArray<readonly [field: string, path: Path, kind: FieldKind]>;

/** Takes typed values out of one document; `rest()` is what is left. */
export class Taker {
  constructor(private readonly doc: Doc) {}

  private take(path: Path, ok: (v: unknown) => boolean): unknown {
    const chain: Doc[] = [this.doc];
    for (const k of path.slice(0, -1)) {
      const next = chain[chain.length - 1][k];
      if (!isObject(next)) return undefined;
      chain.push(next);
    }
    const last = path[path.length - 1];
    const holder = chain[chain.length - 1];
    const v = holder[last];
    if (!Object.hasOwn(holder, last) || !ok(v)) return undefined;
    delete holder[last];
    // An object emptied by taking goes too; one that was empty stays (it was never taken from).
    for (let i = chain.length - 1; i > 0 && Object.keys(chain[i]).length === 0; i--) delete chain[i - 1][path[i - 1]];
    return v;
  }

  object(path: Path): Doc | undefined {
    let cur: unknown = this.doc;
    for (const k of path) cur = isObject(cur) ? cur[k] : undefined;
    return isObject(cur) ? cur : undefined;
  }

  str(path: Path): string {
    return (this.take(path, (v) => typeof v === 'string' && v !== '') as string | undefined) ?? '';
  }
  strs(path: Path): string[] {
    return (this.take(path, (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) as string[] | undefined) ?? [];
  }
  true(path: Path): boolean {
    return this.take(path, (v) => v === true) === true;
  }
  u32(path: Path): number {
    return (this.take(path, (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= U32) as number | undefined) ?? 0;
  }
  i32(path: Path): number {
    return (this.take(path, (v) => Number.isInteger(v) && v !== 0 && Math.abs(v as number) <= I32) as number | undefined) ?? 0;
  }
  u64(path: Path): number {
    return (this.take(path, (v) => Number.isSafeInteger(v) && (v as number) > 0) as number | undefined) ?? 0;
  }
  i64(path: Path): number {
    return (this.take(path, (v) => Number.isSafeInteger(v) && v !== 0) as number | undefined) ?? 0;
  }
  /** Every field of `table`, taken. */
  fields(table: FieldTable): Doc {
    const out: Doc = {};
    for (const [field, path, kind] of table) out[field] = this[kind](path);
    return out;
  }

  /** A value `convert` accepts (returns non-undefined for); left in place otherwise. */
  mapped<T>(path: Path, convert: (v: unknown) => T | undefined): T | undefined {
    let out: T | undefined;
    this.take(path, (v) => (out = convert(v)) !== undefined);
    return out;
  }
  /** Removes a whole subtree (its typed form is carried elsewhere). */
  drop(path: Path): void {
    this.take(path, () => true);
  }

  rest(): DeepPartial<Fields> | null {
    return Object.keys(this.doc).length ? toFields(this.doc) : null;
  }
}

/** A protobuf field's default (proto3 cannot tell it from unset): what Taker never takes, Putter never writes. */
export const isProtoDefault = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);

/** Writes typed values back; a default value (what Taker never takes) is skipped. */
export class Putter {
  constructor(readonly doc: Doc = {}) {}

  set(path: Path, v: unknown): void {
    if (isProtoDefault(v)) return;
    this.ensure(path.slice(0, -1))[path[path.length - 1]] = v;
  }

  /** The object at path, created empty when missing. */
  ensure(path: Path): Doc {
    let cur = this.doc;
    for (const k of path) {
      if (!isObject(cur[k])) cur[k] = {};
      cur = cur[k] as Doc;
    }
    return cur;
  }

  /** Every field of `table`, put back from `msg`. */
  fields(table: FieldTable, msg: object): void {
    for (const [field, path] of table) this.set(path, (msg as Doc)[field]);
  }

  merge(fields: Fields | null | undefined): void {
    if (fields) mergeInto(this.doc, fromFields(fields));
  }
}

function mergeInto(target: Doc, add: Doc): void {
  for (const [k, v] of Object.entries(add)) {
    if (isObject(v) && Object.hasOwn(target, k) && isObject(target[k])) mergeInto(target[k] as Doc, v);
    else setOwn(target, k, v);
  }
}

export function toValue(v: unknown, depth = 0): DeepPartial<Value> {
  if (depth > MAX_DEPTH) return { is_null: true };
  if (v === null || v === undefined) return { is_null: true };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'number') return Number.isFinite(v) ? { number: v } : { is_null: true };
  if (typeof v === 'boolean') return { flag: v };
  if (typeof v === 'bigint') return { text: v.toString() };
  if (Array.isArray(v)) return { list: { items: v.map((x) => toValue(x, depth + 1)) } };
  if (isObject(v)) return { object: toFields(v, depth + 1) };
  return { is_null: true };
}

export function toFields(o: Doc, depth = 0): DeepPartial<Fields> {
  const fields: DeepPartial<Fields>['fields'] = [];
  for (const [key, v] of Object.entries(o)) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    fields.push({ key, value: toValue(v, depth) });
  }
  return { fields };
}

export function fromValue(v: Value | null | undefined): unknown {
  if (!v) return null;
  switch (v.kind) {
    case 'text': return v.text ?? '';
    case 'number': return v.number ?? 0;
    case 'flag': return v.flag ?? false;
    case 'list': return (v.list?.items ?? []).map(fromValue);
    case 'object': return fromFields(v.object ?? null);
    default: return null;
  }
}

export function fromFields(f: Fields | null | undefined): Doc {
  const out: Doc = {};
  // "__proto__" from the wire must stay a plain key, never a prototype.
  for (const { key, value } of f?.fields ?? []) setOwn(out, key, fromValue(value));
  return out;
}
