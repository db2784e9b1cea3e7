// `vigil query --tree <entity_id>`: the process subtree rooted at an entity.
// Children are the entities with a process image whose parent_pk is one of
// the node's images (schema v2); each node carries its own activity (the
// other filters still apply to it), oldest first.
import { unpack } from '../store/compress';
import type { ProcessImage } from '../store/event-split';
import { QueryFilterError, QueryNotFoundError } from './errors';
import { validateFilters, type QueryFilters } from './filters';
import { dbOf, execute, storeReaders, type QueryRow, type QuerySource, type RunOptions } from './run-query';
import { prepared } from '../store/prepared';

export interface TreeNode {
  entityId: string;
  pid?: number;
  executable?: string;
  commandLine?: string;
  events: QueryRow[];      // oldest first; the newest `limit` per process
  children: TreeNode[];
}

export interface TreeResult {
  root: TreeNode;
  /** Node or depth cap reached: some descendants are not shown. */
  truncated: boolean;
  timedOut: boolean;
}

export const MAX_TREE_NODES = 256;
export const MAX_TREE_DEPTH = 32;

export interface TreeOptions extends RunOptions {
  /** Levels of descendants shown below the root (default and cap MAX_TREE_DEPTH). */
  maxDepth?: number;
  /** Leave out events that failed (ENOENT lookups and the like make most of a shell's tree). */
  hideFailed?: boolean;
}

export function buildProcessTree(
  src: QuerySource, rootEntityId: string, filters: QueryFilters = {}, opts: TreeOptions = {},
): TreeResult {
  const maxDepth = opts.maxDepth ?? MAX_TREE_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_TREE_DEPTH) {
    throw new QueryFilterError('depth', `must be a whole number from 0 to ${MAX_TREE_DEPTH}`);
  }
  if (typeof rootEntityId !== 'string' || rootEntityId === '') throw new QueryFilterError('tree', 'needs an entity_id');
  if (filters.entityId !== undefined) throw new QueryFilterError('entityId', 'cannot be combined with tree; the tree picks the entities');
  const db = dbOf(src);
  const clock = opts.clock ?? Date.now;
  const f = validateFilters(filters, opts.now ?? Date.now());
  const deadline = clock() + f.timeoutMs;
  const identity = prepared(db, `SELECT pid, executable, doc FROM processes WHERE entity_id = ?
    ORDER BY (executable IS NOT NULL) DESC, pk DESC LIMIT 1`);
  const children = prepared(db, `SELECT c.entity_id AS id, min(c.ts) AS first FROM processes c
    JOIN processes p ON c.parent_pk = p.pk
    WHERE p.entity_id = ? AND c.entity_id <> ?
    GROUP BY c.entity_id ORDER BY first, c.entity_id`);

  const state = { nodes: 0, truncated: false, timedOut: false };
  const readers = storeReaders(db); // one decode cache for the whole tree
  const seen = new Set<string>();

  const visit = (entityId: string, depth: number): TreeNode => {
    seen.add(entityId);
    state.nodes++;
    const node: TreeNode = { entityId, events: [], children: [] };
    const id = identity.get(entityId) as { pid: number | null; executable: string | null; doc: Buffer } | undefined;
    if (id) {
      node.pid = id.pid ?? undefined;
      node.executable = id.executable ?? undefined;
      node.commandLine = commandLine(id.doc);
    }
    if (clock() > deadline) { state.timedOut = true; return node; }
    const r = execute(db, { ...f, entityId }, deadline, { ...opts, clock, readers });
    node.events = (opts.hideFailed ? r.rows.filter((x) => x.doc.event?.outcome !== 'failure') : r.rows).reverse();
    state.timedOut ||= r.timedOut;
    if (depth >= maxDepth) {
      if (maxDepth === MAX_TREE_DEPTH) state.truncated = true; // a depth the user asked for is not a truncation
      return node;
    }
    for (const c of children.all(entityId, entityId) as { id: string }[]) {
      if (seen.has(c.id)) continue; // pid reuse or bad data must not loop
      if (state.nodes >= MAX_TREE_NODES || state.timedOut) { state.truncated = true; break; }
      node.children.push(visit(c.id, depth + 1));
    }
    return node;
  };

  const exists = prepared(db, 'SELECT 1 FROM processes WHERE entity_id = ? LIMIT 1').get(rootEntityId);
  if (!exists) throw new QueryNotFoundError(`entity ${rootEntityId}`);
  const root = visit(rootEntityId, 0);
  return { root, truncated: state.truncated, timedOut: state.timedOut };
}

/** The command line of a stored process image (event-split.ts ProcessImage). */
function commandLine(doc: Buffer | string): string | undefined {
  try {
    const p = (JSON.parse(unpack(doc)) as ProcessImage).process;
    return p?.command_line ?? (Array.isArray(p?.args) ? p.args.join(' ') : undefined);
  } catch {
    return undefined;
  }
}
