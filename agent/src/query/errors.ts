// Query error catalogue. The control plane relays `code` and `message` to the
// operator as-is, so messages say what to change.
//
// | code                       | when                                            |
// |----------------------------|-------------------------------------------------|
// | VIGIL_ERR_QUERY_FILTER     | a filter is malformed or out of range            |
// | VIGIL_ERR_QUERY_NOT_FOUND  | --tree names an entity with no recorded events   |

export class QueryError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class QueryFilterError extends QueryError {
  constructor(readonly field: string, message: string) {
    super('VIGIL_ERR_QUERY_FILTER', `${field}: ${message}`);
  }
}

export class QueryNotFoundError extends QueryError {
  constructor(what: string, hint = 'check the id (vigil query --json shows process.entity_id) or the retention window') {
    super('VIGIL_ERR_QUERY_NOT_FOUND', `${what} has no recorded events; ${hint}`);
  }
}
