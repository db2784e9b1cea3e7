// Public surface of the vigil.v1 protocol for the control plane and the
// agent-side transport.
export * from './types';
export { encodeEnvelope, decodeEnvelope, encodeAlert, decodeAlert, encodedSize, normalize, MAX_FRAME_BYTES } from './codec';
export { protoRoot, loadProtoRoot, messageType, enumType, protoDir, PROTO_FILES, PROTO_PACKAGE } from './schema';
export { FIELD_TABLE } from './field-table';
export { eventTypeOf, severityRank, severityFromName, SEVERITY_NAMES } from './enums';
export { EXCEPTION_FIELDS, matchesEverything, type ExceptionField } from './exception-fields';
export { PROTOCOL_VERSION, EXCEPTIONS_SINCE, speaks, helloVersion, assertCompatible, formatVersion, type ProtocolVersion } from './version';
export { WireError, isWireError, WIRE_ERRORS, type WireErrorName } from './errors';
export { eventToProto, eventFromProto, processToProto, processFromProto } from './ecs-event-map';
export { legacyDoc, isProtoDefault, toFields } from './ecs-fields';
export { alertToProto, alertFromProto, hasTypedDocument } from './ecs-alert-map';
export { scanEventBatch, type ScannedEvent, type ScannedEventBatch } from './event-batch-scan';
