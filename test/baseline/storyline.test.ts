// Storylines: contributions of a process, its ancestors and its siblings (at
// their parent) add up, one strongest per kind of news.
import { describe, expect, it } from 'vitest';
import { Storylines, type Contribution } from '../../agent/src/baseline/storyline';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import type { ProfileName } from '../../agent/src/baseline/observations';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const ev = (id: string, pid: number, parent: { id: string; pid: number }): EcsEvent => ({
  process: { entity_id: id, pid, executable: `/usr/bin/${id}`, parent: { pid: parent.pid, entity_id: parent.id }, ancestors: [{ entity_id: parent.id, pid: parent.pid, executable: '/bin/bash' }] },
} as unknown as EcsEvent);
const contribution = (id: string, profile: ProfileName, score: number): Contribution => ({
  profile, context: 'c', value: id, scored: [], score, explanation: `${profile} ${id}`, at: T0, entityId: id, event: {} as EcsEvent,
});
const script = { id: 'script', pid: 100 };

describe('Storylines', () => {
  it('siblings of one script add up at their parent when their news is of different kinds', () => {
    const s = new Storylines(15 * 60_000);
    s.add(contribution('zip', 'exe', 45), script.id);
    s.add(contribution('curl', 'net-first', 45), script.id);
    const chain = s.chain(ev('curl', 102, script), T0)!;
    expect(chain.risk).toBeCloseTo(100 * (1 - 0.55 * 0.55), 5);
    expect(chain.rootEntityId).toBe(script.id);
    expect(chain.contributions.map((c) => c.value).sort()).toEqual(['curl', 'zip']);
  });

  it('many firsts of one kind count once, by the strongest: an admin trying new commands is one lead', () => {
    const s = new Storylines(15 * 60_000);
    for (const [i, name] of ['getconf', 'locale', 'column', 'tac'].entries()) s.add(contribution(name, 'exe', 40 + i), script.id);
    expect(s.chain(ev('tac', 104, script), T0)!.risk).toBeCloseTo(43, 5);
  });

  it('fades with the storyline half-life', () => {
    const s = new Storylines(60_000);
    s.add(contribution('zip', 'exe', 50), script.id);
    expect(s.chain(ev('zip', 101, script), T0 + 60_000)!.risk).toBeCloseTo(25, 5);
  });
});
