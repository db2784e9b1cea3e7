// Loads proto/vigil/v1/*.proto at runtime with protobufjs. keepCase keeps
// the lower_snake field names of the .proto, which are also the names of
// the TS interfaces in types.ts (test/proto checks the two never drift).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as protobuf from 'protobufjs';

export const PROTO_PACKAGE = 'vigil.v1';
export const PROTO_FILES = [
  'vigil/v1/value.proto',
  'vigil/v1/process.proto',
  'vigil/v1/event.proto',
  'vigil/v1/alert.proto',
  'vigil/v1/agent.proto',
  'vigil/v1/batch.proto',
  'vigil/v1/query.proto',
  'vigil/v1/action.proto',
  'vigil/v1/exception.proto',
  'vigil/v1/envelope.proto',
] as const;

let cached: protobuf.Root | undefined;

/** The repo's proto/ folder, found by walking up from this file (src or dist). */
export function protoDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'vigil/v1/envelope.proto'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find proto/vigil/v1/envelope.proto above ' + __dirname);
    dir = up;
  }
}

/** Loads the schema under `dir`: today's files, or (for a frozen older schema) the files it has. */
export function loadProtoRoot(dir: string = protoDir(), files: readonly string[] = PROTO_FILES): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : resolve(dir, target));
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

export function protoRoot(): protobuf.Root {
  if (!cached) cached = loadProtoRoot();
  return cached;
}

export function messageType(name: string): protobuf.Type {
  return protoRoot().lookupType(`${PROTO_PACKAGE}.${name}`);
}

export function enumType(name: string): protobuf.Enum {
  return protoRoot().lookupEnum(`${PROTO_PACKAGE}.${name}`);
}
