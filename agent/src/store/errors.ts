// Store error catalogue. Stable codes; messages say what to do.
//
// | code                        | when                                             |
// |-----------------------------|--------------------------------------------------|
// | VIGIL_ERR_STORE_CONFIG      | a store option (retention, batch size...) is bad  |
// | VIGIL_ERR_STORE_SCHEMA      | the database was written by a newer Vigil        |
// | VIGIL_ERR_STORE_OPEN        | the database file cannot be opened or created    |

export class StoreError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class StoreConfigError extends StoreError {
  constructor(readonly option: string, message: string) {
    super('VIGIL_ERR_STORE_CONFIG', `${option}: ${message}`);
  }
}

export class StoreSchemaError extends StoreError {
  constructor(message: string) {
    super('VIGIL_ERR_STORE_SCHEMA', message);
  }
}

export class StoreOpenError extends StoreError {
  constructor(path: string, cause: unknown, hint = 'check the directory exists and is writable, or pass --db PATH') {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('VIGIL_ERR_STORE_OPEN', `cannot open event database ${path}: ${why}; ${hint}`);
  }
}
