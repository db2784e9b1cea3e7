// The wire codec, from the built contract package (dist/proto/src).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
export const { encodeEnvelope, decodeEnvelope, decodeAlert, PROTOCOL_VERSION, alertToProto, eventToProto } = require(join(ROOT, 'dist/proto/src/index.js'));
export const CLI = join(ROOT, 'dist/cli/vigil.js');
