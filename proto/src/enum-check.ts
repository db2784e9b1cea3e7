// Strictness protobufjs lacks: proto3 enums are open, so decode keeps
// unknown values (which toObject leaves as numbers), and fromObject
// coerces bad enum names to 0. These walks find enum fields whose value is
// not a known name, so such frames fail verification with the field path.
// Each message type's walk plan is built once: only enum fields, and message
// fields that can reach one, are visited (an Event's file, network and
// process fields and its extensions tree hold none, so a batch of events
// costs one lookup each).
import * as protobuf from 'protobufjs';

interface Plan {
  enums: { name: string; type: protobuf.Enum; names: Set<string>; numbers: Set<number> }[];
  nested: { name: string; type: protobuf.Type }[];
}

const plans = new WeakMap<protobuf.Type, Plan | null>();

/** Every message type reachable from `root`, and which of them can reach an enum (to a fixed point, so recursive types such as Value are decided right). */
function enumReach(root: protobuf.Type): Set<protobuf.Type> {
  const all = new Set<protobuf.Type>([root]);
  for (const t of all) for (const f of t.fieldsArray) if (f.resolvedType instanceof protobuf.Type) all.add(f.resolvedType);
  const reach = new Set<protobuf.Type>();
  for (let changed = true; changed;) {
    changed = false;
    for (const t of all) {
      if (reach.has(t)) continue;
      if (t.fieldsArray.some((f) => f.resolvedType instanceof protobuf.Enum || (f.resolvedType instanceof protobuf.Type && reach.has(f.resolvedType)))) {
        reach.add(t);
        changed = true;
      }
    }
  }
  return reach;
}

/** The walk plan of `type`, or null when no enum can be reached from it. */
function planOf(type: protobuf.Type): Plan | null {
  if (plans.has(type)) return plans.get(type)!;
  const reach = enumReach(type);
  let out: Plan | null = null;
  if (reach.has(type)) {
    out = { enums: [], nested: [] };
    for (const f of type.fieldsArray) {
      const t = f.resolvedType;
      if (t instanceof protobuf.Enum) {
        out.enums.push({ name: f.name, type: t, names: new Set(Object.keys(t.values)), numbers: new Set(Object.values(t.values)) });
      } else if (t instanceof protobuf.Type && reach.has(t)) {
        out.nested.push({ name: f.name, type: t });
      }
    }
  }
  plans.set(type, out);
  return out;
}

function check(type: protobuf.Type, obj: Record<string, unknown>, path: string, out: string[]): void {
  const plan = planOf(type);
  if (!plan) return;
  for (const e of plan.enums) {
    const v = obj[e.name];
    if (v === undefined || v === null) continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'string' ? !e.names.has(x) : !e.numbers.has(x as number)) {
        out.push(`${path ? `${path}.${e.name}` : e.name}: unknown ${e.type.name} value ${JSON.stringify(x)}`);
      }
    }
  }
  for (const n of plan.nested) {
    const v = obj[n.name];
    if (v === undefined || v === null) continue;
    const at = path ? `${path}.${n.name}` : n.name;
    for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object') check(n.type, x as Record<string, unknown>, at, out);
  }
}

/** First unknown enum value in `obj` (a plain object of `type`), or null. */
export function unknownEnum(type: protobuf.Type, obj: object): string | null {
  const out: string[] = [];
  check(type, obj as Record<string, unknown>, '', out);
  return out[0] ?? null;
}
