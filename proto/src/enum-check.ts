// Strictness protobufjs lacks: proto3 enums are open, so decode keeps
// unknown values (which toObject leaves as numbers), and fromObject
// coerces bad enum names to 0. These walks find enum fields whose value is
// not a known name, so such frames fail verification with the field path.
import * as protobuf from 'protobufjs';

function check(type: protobuf.Type, obj: Record<string, unknown>, path: string, out: string[]): void {
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    const at = path ? `${path}.${f.name}` : f.name;
    const values = f.repeated && Array.isArray(v) ? v : [v];
    if (f.resolvedType instanceof protobuf.Enum) {
      const known = f.resolvedType.values;
      for (const x of values) {
        if (typeof x === 'string' ? !(x in known) : !Object.values(known).includes(x as number)) {
          out.push(`${at}: unknown ${f.resolvedType.name} value ${JSON.stringify(x)}`);
        }
      }
    } else if (f.resolvedType instanceof protobuf.Type) {
      for (const x of values) if (x && typeof x === 'object') check(f.resolvedType, x as Record<string, unknown>, at, out);
    }
  }
}

/** First unknown enum value in `obj` (a plain object of `type`), or null. */
export function unknownEnum(type: protobuf.Type, obj: object): string | null {
  const out: string[] = [];
  check(type, obj as Record<string, unknown>, '', out);
  return out[0] ?? null;
}
