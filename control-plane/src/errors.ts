// The control plane's error catalogue. Codes are stable (clients match on
// them) and documented in docs/api.md; messages tell the user what to do.
// The wire's own errors (FRAME_*, PROTOCOL_*) live in proto/src/errors.ts,
// shared with the agent; they are merged in here so one table covers both.
import { WIRE_ERRORS, WireError } from '../../proto/src/errors';

export interface ErrorSpec {
  readonly code: string;
  readonly status: number;   // HTTP status when it surfaces on a REST route
  readonly message: string;  // default message
}

const spec = (code: string, status: number, message: string): ErrorSpec => ({ code, status, message });

export const ERRORS = {
  CONFIG_INVALID: spec('VIGIL_ERR_CONFIG_INVALID', 500, 'invalid control plane configuration'),
  TLS_FILES: spec('VIGIL_ERR_TLS_FILES', 500, 'cannot read TLS certificate or key; check --tls-cert/--tls-key paths'),
  DB_OPEN: spec('VIGIL_ERR_DB_OPEN', 500, 'cannot open the SQLite database; check --db path and permissions'),
  UNAUTHENTICATED: spec('VIGIL_ERR_UNAUTHENTICATED', 401, 'missing or invalid token; send "Authorization: Bearer <token>" (create one with `vigil token create`)'),
  FORBIDDEN: spec('VIGIL_ERR_FORBIDDEN', 403, 'token role may not use this endpoint'),
  BAD_REQUEST: spec('VIGIL_ERR_BAD_REQUEST', 400, 'request failed validation'),
  NOT_FOUND: spec('VIGIL_ERR_NOT_FOUND', 404, 'no such resource'),
  TOKEN_NOT_FOUND: spec('VIGIL_ERR_TOKEN_NOT_FOUND', 404, 'no such token; list tokens with `vigil token list`'),
  AGENT_OFFLINE: spec('VIGIL_ERR_AGENT_OFFLINE', 409, 'the agent is not connected now; actions need a live session (see GET /v1/agents)'),
  QUERY_NO_TARGETS: spec('VIGIL_ERR_QUERY_NO_TARGETS', 400, 'query names no hosts; pass "hosts": [...] or "all": true'),
  ...WIRE_ERRORS,
  NATS_UNAVAILABLE: spec('VIGIL_ERR_NATS_UNAVAILABLE', 503, 'the NATS JetStream backbone is unreachable; check --nats <url> and that nats-server runs with -js'),
  INTERNAL: spec('VIGIL_ERR_INTERNAL', 500, 'internal error; see the control plane log'),
} as const;

export type ErrorName = keyof typeof ERRORS;

export class VigilError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(readonly kind: ErrorName, detail?: string, options?: { cause?: unknown }) {
    const s = ERRORS[kind];
    super(detail ? `${s.message}: ${detail}` : s.message, options);
    this.name = 'VigilError';
    this.code = s.code;
    this.statusCode = s.status;
  }
}

/** A control-plane or wire error, optionally of one kind. */
export function isVigilError(err: unknown, kind?: ErrorName): err is VigilError | WireError {
  return (err instanceof VigilError || err instanceof WireError) && (kind === undefined || err.kind === kind);
}

/** JSON body every failing REST route returns. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
