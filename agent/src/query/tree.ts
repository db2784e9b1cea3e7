// `vigil query --tree <entity_id>`: the process subtree rooted at an entity.
// Children are the entities whose exec/fork events name the node as
// process.parent.entity_id; each node carries its own activity (the other
// filters still apply to it), oldest first.
import type { EcsEvent } from '../model/ecs-event';
import { QueryFilterError, QueryNotFoundError } from './errors';
import { validateFilters, type QueryFilters } from './filters';
import { dbOf, execute, type QueryRow, type QuerySource, type RunOptions } from './run-query';

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

export function buildProcessTree(
  src: QuerySource, rootEntityId: string, filters: QueryFilters = {}, opts: RunOptions = {},
): TreeResult {
  if (typeof rootEntityId !== 'string' || rootEntityId === '') throw new QueryFilterError('tree', 'needs an entity_id');
  if (filters.entityId !== undefined) throw new QueryFilterError('entityId', 'cannot be combined with tree; the tree picks the entities');
  const db = dbOf(src);
  const clock = opts.clock ?? Date.now;
  const f = validateFilters(filters, opts.now ?? Date.now());
  const deadline = clock() + f.timeoutMs;
  const identity = db.prepare(`SELECT pid, executable, doc FROM events WHERE entity_id = ?
    ORDER BY (action = 'exec') DESC, ts DESC LIMIT 1`);
  const asParent = db.prepare(`SELECT doc FROM events WHERE parent_entity_id = ? AND action IN ('exec', 'fork')
    ORDER BY json_extract(doc, '$.process.parent.executable') IS NULL LIMIT 1`);
  const children = db.prepare(`SELECT entity_id AS id, min(ts) AS first FROM events
    WHERE parent_entity_id = ? AND action IN ('exec', 'fork') AND entity_id IS NOT NULL AND entity_id <> ?
    GROUP BY entity_id ORDER BY first, entity_id`);

  const state = { nodes: 0, truncated: false, timedOut: false };
  const seen = new Set<string>();

  const visit = (entityId: string, depth: number): TreeNode => {
    seen.add(entityId);
    state.nodes++;
    const node: TreeNode = { entityId, events: [], children: [] };
    const id = identity.get(entityId) as { pid: number | null; executable: string | null; doc: string } | undefined;
    if (id) {
      node.pid = id.pid ?? undefined;
      node.executable = id.executable ?? undefined;
      node.commandLine = commandLine(id.doc);
    } else {
      // Seen only as a parent (e.g. started before the agent): its children know it.
      const c = asParent.get(entityId) as { doc: string } | undefined;
      const parent = c ? parseProcess(c.doc)?.parent : undefined;
      node.pid = parent?.pid;
      node.executable = parent?.executable;
      node.commandLine = parent?.command_line;
    }
    if (clock() > deadline) { state.timedOut = true; return node; }
    const r = execute(db, { ...f, entityId }, deadline, { ...opts, clock });
    node.events = r.rows.reverse();
    state.timedOut ||= r.timedOut;
    if (depth >= MAX_TREE_DEPTH) { state.truncated = true; return node; }
    for (const c of children.all(entityId, entityId) as { id: string }[]) {
      if (seen.has(c.id)) continue; // pid reuse or bad data must not loop
      if (state.nodes >= MAX_TREE_NODES || state.timedOut) { state.truncated = true; break; }
      node.children.push(visit(c.id, depth + 1));
    }
    return node;
  };

  const exists = db.prepare('SELECT 1 FROM events WHERE entity_id = ? OR parent_entity_id = ? LIMIT 1').get(rootEntityId, rootEntityId);
  if (!exists) throw new QueryNotFoundError(`entity ${rootEntityId}`);
  const root = visit(rootEntityId, 0);
  return { root, truncated: state.truncated, timedOut: state.timedOut };
}

function parseProcess(doc: string): EcsEvent['process'] | undefined {
  try {
    return (JSON.parse(doc) as EcsEvent).process;
  } catch {
    return undefined;
  }
}

function commandLine(doc: string): string | undefined {
  const p = parseProcess(doc);
  return p?.command_line ?? (Array.isArray(p?.args) ? p.args.join(' ') : undefined);
}
