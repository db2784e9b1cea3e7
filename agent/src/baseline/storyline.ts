// Scores accumulate along the process tree. Each process keeps the scored
// observations it made (its contributions); the risk of a process is the
// combination of its own and its ancestors' contributions, each fading with
// age. A chain of individually mild novelties (a server starts a shell, the
// shell decodes something, the child connects out) adds up to one alert for
// the subtree, raised once per severity level it reaches.
import type { EcsEvent } from '../model/ecs-event';
import { LruMap } from '../process/lru';
import { combineScores } from './scoring';
import type { Observation } from './observations';

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
}

export interface ChainRisk {
  risk: number;
  /** Topmost process of the chain with a contribution: the storyline's root. */
  rootEntityId: string;
  rootPid?: number;
  rootExecutable?: string;
  contributions: Contribution[];
}

const MAX_PER_PROCESS = 16;
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

  add(c: Contribution): void {
    let n = this.nodes.get(c.entityId);
    if (!n) this.nodes.set(c.entityId, (n = { contributions: [] }));
    n.contributions.push(c);
    if (n.contributions.length > MAX_PER_PROCESS) {
      // Keep the strongest.
      n.contributions.sort((a, b) => b.score - a.score);
      n.contributions.length = MAX_PER_PROCESS;
    }
  }

  /** The risk of the event's process and its ancestors, nearest first. */
  chain(ev: EcsEvent, at: number): ChainRisk | undefined {
    const ids: { id: string; pid?: number; exe?: string }[] = [{ id: ev.process.entity_id, pid: ev.process.pid, exe: ev.process.executable }];
    for (const a of ev.process.ancestors ?? []) {
      if (ids.length >= MAX_DEPTH) break;
      ids.push({ id: a.entity_id, pid: a.pid, exe: a.executable });
    }
    const all: Contribution[] = [];
    let root: (typeof ids)[number] | undefined;
    for (const x of ids) {
      const n = this.nodes.peek(x.id);
      if (!n || n.contributions.length === 0) continue;
      all.push(...n.contributions);
      root = x;
    }
    if (!root) return undefined;
    const risk = combineScores(all.map((c) => this.weight(c, at)));
    all.sort((a, b) => a.at - b.at);
    return { risk, rootEntityId: root.id, rootPid: root.pid, rootExecutable: root.exe, contributions: all };
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
