// Real kernel: kill -9 the agent's loader. The agent must not die with it:
// it respawns the loader within 1 s, raises the events-dropped alert with
// the blind interval, and capture resumes (a later exec arrives).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness';
import { startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-restart-');
let agent: PrivateAgent | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The agent's vigil-loader children (a dying one lingers while its probes detach). */
function loadersOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'vigil-loader') out.push(Number(c));
      } catch { /* exited meanwhile */ }
    }
  }
  return out;
}

describe('loader death', () => {
  it('kill -9 of the loader: respawned within 1 s, gap alerted, capture resumes, agent lives', async () => {
    agent = startAgent(dir, ['--capture', 'all', '--no-db', '--no-default-rules', '--log-level', 'info']);
    await agent.marker('before');
    const [first, ...others] = loadersOf(agent.child.pid!);
    expect(first).toBeDefined();
    expect(others).toEqual([]);

    process.kill(first!, 'SIGKILL');
    const killedAt = Date.now();
    const second = await until('a new loader', () => loadersOf(agent!.child.pid!).find((p) => p !== first), 5000, 10);
    const respawnMs = Date.now() - killedAt;
    expect(second).toBeGreaterThan(0);
    expect(respawnMs).toBeLessThanOrEqual(1000);

    await agent.marker('after'); // capture resumed through the new loader
    // Raised once the new loader is ready and the old one has exited (its probes detach for seconds).
    const gap = await until('the loader-gap alert', () => agent!.lines().find((l) => l.rule?.id === 'vigil-events-dropped' &&
      typeof l.vigil?.alert?.gap_ms === 'number'), 20_000).catch((err: Error) => { throw new Error(`${err.message}; agent log:\n${agent!.log().slice(-2000)}`); });
    const alert = gap.vigil.alert as { gap_ms: number; loader_restarts: number };
    expect(alert.loader_restarts).toBe(1);
    expect(alert.gap_ms).toBeGreaterThan(0);
    expect(gap.rule.description).toContain('was killed by SIGKILL');
    console.log(`loader respawned ${respawnMs} ms after SIGKILL; blind for ${alert.gap_ms} ms until the new loader was ready`);

    expect(agent.child.exitCode).toBeNull();
    expect(await agent.stop()).toBe(0);
  }, 90_000);
});
