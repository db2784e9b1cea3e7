// Keeps proto/vigil/v1/*.proto, the TS types (types.ts / field-table.ts)
// and the kernel event-type numbering (bpf/events.h) in step.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { EVENT_ACTIONS } from '../../agent/src/model/ecs-event';
import {
  ACK_STREAMS, CAPABILITIES, EVENT_OUTCOMES, EVENT_TYPES, FIELD_TABLE, SEVERITIES, enumType, protoRoot,
} from '../../proto/src';

const ROOT = resolve(__dirname, '../..');
const pkg = protoRoot().lookup('vigil.v1') as protobuf.Namespace;
const types = pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
const enums = pkg.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);

function describeField(f: protobuf.Field): string {
  const t = f.resolvedType ? f.resolvedType.name : f.type;
  return f.repeated ? `repeated ${t}` : t;
}

function reflectTable(t: protobuf.Type): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of t.oneofsArray) out[o.name] = 'oneof';
  for (const f of t.fieldsArray) out[f.name] = describeField(f);
  return out;
}

describe('proto <-> TS drift', () => {
  it('the TS table lists exactly the messages of vigil.v1', () => {
    expect(Object.keys(FIELD_TABLE).sort()).toEqual(types.map((t) => t.name).sort());
  });

  for (const t of types) {
    it(`message ${t.name} matches the TS table`, () => {
      expect((FIELD_TABLE as Record<string, Record<string, string>>)[t.name]).toEqual(reflectTable(t));
    });
  }

  it('TS enum value lists match the proto enums, zero value *_UNSPECIFIED first', () => {
    const ts: Record<string, readonly string[]> = {
      EventType: EVENT_TYPES, EventOutcome: EVENT_OUTCOMES, Severity: SEVERITIES, Capability: CAPABILITIES, AckStream: ACK_STREAMS,
    };
    expect(Object.keys(ts).sort()).toEqual(enums.map((e) => e.name).sort());
    for (const e of enums) {
      const names = Object.entries(e.values).sort((a, b) => a[1] - b[1]).map(([n]) => n);
      expect(ts[e.name]).toEqual(names);
      const prefix = e.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() + '_';
      expect(e.values[`${prefix}UNSPECIFIED`]).toBe(0);
      for (const n of names) expect(n.startsWith(prefix)).toBe(true);
    }
  });

  it('no nested enums or messages (buf style)', () => {
    for (const t of types) expect(t.nestedArray ?? []).toEqual([]);
  });

  it('tsc accepts field-table.ts against types.ts (keys in step)', () => {
    // A throwaway tsconfig naming just this file, so other files' errors do not count.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-'));
    const project = join(dir, 'tsconfig.json');
    writeFileSync(project, JSON.stringify({
      compilerOptions: { noEmit: true, strict: true, target: 'ES2022', module: 'commonjs', skipLibCheck: true, types: [] },
      files: [resolve(ROOT, 'proto/src/field-table.ts')],
    }));
    try {
      execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      throw new Error(`tsc rejected field-table.ts:\n${(err as { stdout?: Buffer }).stdout?.toString()}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('event numbering drift', () => {
  const header = readFileSync(resolve(ROOT, 'bpf/events.h'), 'utf8');
  const body = /enum vigil_event_type \{([\s\S]*?)\};/.exec(header)![1];
  const kernel = [...body.matchAll(/VIGIL_EV_(\w+)\s*=\s*(\d+)/g)]
    .filter(([, n]) => n !== 'MAX')
    .map(([, n, v]) => [n, Number(v)] as const);

  it('EventType mirrors enum vigil_event_type', () => {
    const ev = enumType('EventType').values;
    expect(Object.fromEntries(kernel.map(([n, v]) => [`EVENT_TYPE_${n}`, v]))).toEqual(ev);
  });

  it('Event.action oneof field numbers equal the event type numbers', () => {
    const event = protoRoot().lookupType('vigil.v1.Event');
    const members = event.oneofs.action.fieldsArray.map((f) => [f.name.toUpperCase(), f.id] as const);
    expect(Object.fromEntries(members)).toEqual(Object.fromEntries(kernel.filter(([n]) => n !== 'UNSPECIFIED')));
    // Common fields stay clear of the event-type range (0..64).
    for (const f of event.fieldsArray) if (!f.partOf) expect(f.id).toBeGreaterThan(64);
  });

  it('oneof members are the ECS event.action names', () => {
    const event = protoRoot().lookupType('vigil.v1.Event');
    const names = event.oneofs.action.fieldsArray.map((f) => f.name.replace(/_/g, '-')).sort();
    expect(names).toEqual([...EVENT_ACTIONS].sort());
  });
});
