// Public surface of the query layer (CLI and control-plane distributed query).
export { runQuery, execute, DEFAULT_WINDOW_ROWS, type QueryRow, type QueryResult, type QuerySource, type RunOptions } from './run-query';
export { validateFilters, DEFAULT_LIMIT, MAX_LIMIT, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, type QueryFilters, type ValidFilters } from './filters';
export { buildProcessTree, MAX_TREE_NODES, MAX_TREE_DEPTH, type TreeNode, type TreeResult } from './tree';
export { formatTable, formatJsonLines, formatTree, detail } from './format';
export { registerQueryCommand, runQueryCommand, type QueryIo, type QueryCliOptions } from './cli';
export { QueryError, QueryFilterError, QueryNotFoundError } from './errors';
