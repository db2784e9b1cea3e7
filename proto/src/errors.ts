// The wire's error catalogue: what encode/decode and the session rules can
// reject, shared by the agent and the control plane. Codes are stable
// (clients match on them) and documented in docs/api.md; `status` is the
// HTTP status a control plane uses if one surfaces on a REST route.

export interface WireErrorSpec {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const spec = (code: string, status: number, message: string): WireErrorSpec => ({ code, status, message });

export const WIRE_ERRORS = {
  FRAME_TOO_LARGE: spec('VIGIL_ERR_FRAME_TOO_LARGE', 413, 'frame exceeds the size cap; send smaller batches'),
  FRAME_DECODE: spec('VIGIL_ERR_FRAME_DECODE', 400, 'frame is not a valid protobuf message'),
  FRAME_INVALID: spec('VIGIL_ERR_FRAME_INVALID', 400, 'frame failed schema verification'),
  ENCODE_INVALID: spec('VIGIL_ERR_ENCODE_INVALID', 500, 'message to encode failed schema verification'),
  PROTOCOL_VIOLATION: spec('VIGIL_ERR_PROTOCOL_VIOLATION', 409, 'message not allowed at this point of the protocol'),
  PROTOCOL_VERSION: spec('VIGIL_ERR_PROTOCOL_VERSION', 426, 'agent protocol version not supported; upgrade the agent (or the control plane) so the major versions match and the agent is at most one minor version behind'),
} as const;

export type WireErrorName = keyof typeof WIRE_ERRORS;

export class WireError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(readonly kind: WireErrorName, detail?: string, options?: { cause?: unknown }) {
    const s = WIRE_ERRORS[kind];
    super(detail ? `${s.message}: ${detail}` : s.message, options);
    this.name = 'WireError';
    this.code = s.code;
    this.statusCode = s.status;
  }
}

export function isWireError(err: unknown, kind?: WireErrorName): err is WireError {
  return err instanceof WireError && (kind === undefined || err.kind === kind);
}
