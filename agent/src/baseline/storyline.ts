// Scores accumulate along the process tree. Each process keeps the scored
// observations it made (its contributions); the risk of a process is the
// combination of its own and its ancestors' contributions, each fading with
// age. A chain of individually mild novelties (a server starts a shell, the
// shell decodes something, the child connects out) adds up to one alert for
// the subtree, raised once per severity level it reaches.
import type { EcsEvent } from '../model/ecs-event';
import { LruMap } from '../process/lru';
import { combineScores } from './scoring';
import { FAMILY, type Observation } from './observations';

export interface Contribution extends Observation {
  /** Every observation of the same event that scored (what an analyst's allow covers). */
  scored: Observation[];
  score: number;
  explanation: string;
  at: number;
  entityId: string;
  event: EcsEvent;
}

interface Node {
  contributions: Contribution[];
  /** What its children contributed: siblings' novelties add up at their parent (a script's steps). */
  fromChildren: Contribution[];
}

export interface ChainRisk {
  risk: number;
  /** Topmost process of the chain with a contribution: the storyline's root. */
  rootEntityId: string;
  rootPid?: number;
  rootExecutable?: string;
  contributions: Contribution[];
  /** Kinds of news behind the risk (observation families). */
  families: number;
}

const MAX_PER_PROCESS = 16;

function keepStrongest(list: Contribution[], c: Contribution): void {
  list.push(c);
  if (list.length > MAX_PER_PROCESS) {
    list.sort((a, b) => b.score - a.score);
    list.length = MAX_PER_PROCESS;
  }
}
const MAX_DEPTH = 16;

export class Storylines {
  private readonly nodes: LruMap<string, Node>;
  /** Highest level alerted per storyline root. */
  private readonly alerted = new LruMap<string, number>(16_384);
  private readonly roots = new LruMap<string, { risk: number; at: number; pid?: number; executable?: string; summary: string }>(4096);

  constructor(private readonly halfLifeMs: number, maxProcesses = 16_384) {
    this.nodes = new LruMap(maxProcesses);
  }

  private weight(c: Contribution, at: number): number {
    return c.score * Math.pow(0.5, Math.max(0, at - c.at) / this.halfLifeMs);
  }

  private node(id: string): Node {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = { contributions: [], fromChildren: [] }));
    return n;
  }

  /** `parentId`: the process's parent, where its siblings' contributions meet. */
  add(c: Contribution, parentId?: string): void {
    keepStrongest(this.node(c.entityId).contributions, c);
    if (parentId) keepStrongest(this.node(parentId).fromChildren, c);
  }

  /** The risk of the event's process and its ancestors, nearest first. */
  chain(ev: EcsEvent, at: number): ChainRisk | undefined {
    const ids: { id: string; pid?: number; exe?: string }[] = [{ id: ev.process.entity_id, pid: ev.process.pid, exe: ev.process.executable }];
    for (const a of ev.process.ancestors ?? []) {
      if (ids.length >= MAX_DEPTH) break;
      ids.push({ id: a.entity_id, pid: a.pid, exe: a.executable });
    }
    const all = new Set<Contribution>();
    let root: (typeof ids)[number] | undefined;
    for (const [i, x] of ids.entries()) {
      const n = this.nodes.peek(x.id);
      if (!n) continue;
      const mine = i === 1 ? [...n.contributions, ...n.fromChildren] : n.contributions;
      if (mine.length === 0) continue;
      for (const c of mine) all.add(c);
      root = x;
    }
    if (!root) return undefined;
    const list = [...all];
    // Independent evidence is different kinds of news: ten new programs in one admin session are one
    // kind (the strongest counts), a new program that also connects out for the first time is two.
    const best = new Map<string, number>();
    for (const c of list) {
      const f = FAMILY[c.profile];
      best.set(f, Math.max(best.get(f) ?? 0, this.weight(c, at)));
    }
    const risk = combineScores(best.values());
    list.sort((a, b) => a.at - b.at);
    return { risk, rootEntityId: root.id, rootPid: root.pid, rootExecutable: root.exe, contributions: list, families: best.size };
  }

  /** True once per storyline root and level: the caller raises the alert. */
  shouldAlert(rootEntityId: string, level: number): boolean {
    const prev = this.alerted.get(rootEntityId) ?? -1;
    if (level <= prev) return false;
    this.alerted.set(rootEntityId, level);
    return true;
  }

  noteRoot(c: ChainRisk, at: number, summary: string): void {
    this.roots.set(c.rootEntityId, { risk: c.risk, at, pid: c.rootPid, executable: c.rootExecutable, summary });
  }

  /** The riskiest live storylines now (risk faded to the present). */
  top(n: number, at: number): { entity_id: string; pid?: number; executable?: string; risk: number; summary: string }[] {
    const out = [];
    for (const [id, r] of this.roots.entries()) {
      const risk = r.risk * Math.pow(0.5, Math.max(0, at - r.at) / this.halfLifeMs);
      if (risk >= 1) out.push({ entity_id: id, pid: r.pid, executable: r.executable, risk: Math.round(risk), summary: r.summary });
    }
    return out.sort((a, b) => b.risk - a.risk).slice(0, n);
  }
}
