// Transport error catalogue. Stable codes; messages say what to do.
//
// | code                          | when                                                  |
// |-------------------------------|-------------------------------------------------------|
// | VIGIL_ERR_TRANSPORT_CONFIG    | a client/outbox option is malformed                   |
// | VIGIL_ERR_TRANSPORT_OUTBOX    | the outbox database cannot be opened or written       |
// | VIGIL_ERR_TRANSPORT_DOC       | an alert document cannot be serialised                |
// | VIGIL_ERR_TRANSPORT_CLOSED    | the client or outbox was used after stop()/close()    |

export class TransportError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class TransportConfigError extends TransportError {
  constructor(readonly option: string, message: string) {
    super('VIGIL_ERR_TRANSPORT_CONFIG', `${option}: ${message}`);
  }
}

export class OutboxError extends TransportError {
  constructor(path: string, cause: unknown, hint = 'check the directory exists and is writable, or pass another --db path') {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('VIGIL_ERR_TRANSPORT_OUTBOX', `alert outbox ${path}: ${why}; ${hint}`, { cause });
  }
}

export class AlertDocError extends TransportError {
  constructor(why: string) {
    super('VIGIL_ERR_TRANSPORT_DOC', `alert document cannot be queued: ${why}; pass a plain JSON object (an AlertEvent)`);
  }
}

export class TransportClosedError extends TransportError {
  constructor(what: string) {
    super('VIGIL_ERR_TRANSPORT_CLOSED', `${what} is closed; enqueue before stop() or create a new client`);
  }
}
