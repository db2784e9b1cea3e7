// The process tree around one process, built from exec events of the
// agent's history: its ancestors (from the alert document), its siblings
// (the same parent), and its children and their descendants. Pure: the
// caller fetches the events.

export type Relation = 'ancestor' | 'focus' | 'sibling' | 'child' | 'descendant';

export interface TreeNode {
  entity_id: string; pid: number | null; executable: string; args: string[];
  parent_entity_id: string | null; start: string | null; relation: Relation; depth: number;
}

type Ecs = Record<string, unknown>;
type Proc = { entity_id?: string; pid?: number; executable?: string; name?: string; args?: string[]; start?: string;
  parent?: { entity_id?: string }; ancestors?: Proc[] };

/** Descendants are walked this many generations below the focus. */
export const MAX_DEPTH = 4;
/** At most this many siblings and descendants (a fork bomb must not flood the page). */
export const MAX_RELATIVES = 60;

export const procOf = (ev: unknown): Proc | undefined => ((ev as Ecs | null)?.process as Proc | undefined) ?? undefined;

function node(p: Proc, relation: Relation, depth: number, parent: string | null): TreeNode {
  return {
    entity_id: p.entity_id ?? '', pid: typeof p.pid === 'number' ? p.pid : null,
    executable: p.executable || p.name || '', args: Array.isArray(p.args) ? p.args : [],
    parent_entity_id: p.parent?.entity_id ?? parent, start: p.start ?? null, relation, depth,
  };
}

/**
 * focus: the process (from the alert document or its own exec event),
 * ancestors nearest first; execs: exec events around it, oldest first.
 * Nodes come out ancestors (pid 1 first), focus, siblings, then descendants breadth first.
 */
export function buildTree(focus: Proc, execs: unknown[]): TreeNode[] {
  const byEntity = new Map<string, Proc>();
  for (const ev of execs) {
    const p = procOf(ev);
    if (p?.entity_id) byEntity.set(p.entity_id, p); // the latest image of a process that exec'd more than once
  }
  const self = { ...byEntity.get(focus.entity_id ?? ''), ...focus };
  const ancestors = (self.ancestors ?? []).filter((a) => a.entity_id);
  const parentId = self.parent?.entity_id ?? ancestors[0]?.entity_id ?? null;
  const out: TreeNode[] = [];
  [...ancestors].reverse().forEach((a, i, all) => out.push(node(a, 'ancestor', i - all.length, all[i - 1]?.entity_id ?? null)));
  out.push(node({ ...self, parent: { entity_id: parentId ?? undefined } }, 'focus', 0, parentId));
  const childrenOf = new Map<string, Proc[]>();
  for (const p of byEntity.values()) {
    const parent = p.parent?.entity_id;
    if (!parent || p.entity_id === focus.entity_id) continue;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), p]);
  }
  const byStart = (a: Proc, b: Proc) => String(a.start ?? '').localeCompare(String(b.start ?? ''));
  let budget = MAX_RELATIVES;
  if (parentId) {
    for (const s of (childrenOf.get(parentId) ?? []).sort(byStart)) {
      if (budget-- <= 0) break;
      out.push(node(s, 'sibling', 0, parentId));
    }
  }
  let level = [self.entity_id ?? ''];
  const seen = new Set([self.entity_id, ...ancestors.map((a) => a.entity_id)]);
  for (let depth = 1; depth <= MAX_DEPTH && level.length && budget > 0; depth++) {
    const next: string[] = [];
    for (const id of level) {
      for (const c of (childrenOf.get(id) ?? []).sort(byStart)) {
        if (seen.has(c.entity_id) || budget-- <= 0) continue;
        seen.add(c.entity_id);
        out.push(node(c, depth === 1 ? 'child' : 'descendant', depth, id));
        next.push(c.entity_id!);
      }
    }
    level = next;
  }
  return out;
}

/**
 * A process's ancestors, nearest first: its own list when the event has
 * one, else its parent links followed through `known` (exec events and
 * the alerting process's recorded chain).
 */
export function ancestorsOf(p: Proc, known: Map<string, Proc>): Proc[] {
  if (p.ancestors?.length) return p.ancestors;
  const out: Proc[] = [];
  const seen = new Set([p.entity_id]);
  let parent = p.parent?.entity_id;
  while (parent && !seen.has(parent) && out.length < 64) {
    seen.add(parent);
    const q = known.get(parent);
    if (!q) break;
    out.push(q);
    parent = q.parent?.entity_id;
  }
  return out;
}

/** Every process an alert document names: the process and its ancestors, each with its parent link. */
export function knownChain(p: Proc | undefined): Map<string, Proc> {
  const m = new Map<string, Proc>();
  const chain = p ? [p, ...(p.ancestors ?? [])] : [];
  chain.forEach((q, i) => {
    if (q.entity_id) m.set(q.entity_id, { ...q, parent: q.parent?.entity_id ? q.parent : { entity_id: chain[i + 1]?.entity_id } });
  });
  return m;
}
