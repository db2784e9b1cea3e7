// The bench workloads (built by `make helpers` into build/bench/) do the
// work they claim and print the rate line the driver parses.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = (name: string) => resolve(__dirname, '../../build/bench', name);
const rate = (out: string, unit: string) => {
  const m = new RegExp(`^([\\d.]+) ${unit}/s \\((\\d+) in`).exec(out);
  if (!m) throw new Error(`no rate line in: ${out}`);
  return { rate: Number(m[1]), n: Number(m[2]) };
};

describe('bench workloads', () => {
  it('open_storm does N iterations', () => {
    const r = rate(execFileSync(bin('open_storm'), ['5000'], { encoding: 'utf8' }), 'iterations');
    expect(r.n).toBe(5000);
    expect(r.rate).toBeGreaterThan(0);
  });
  it('exec_storm runs N execs and the paced mode holds its rate', () => {
    expect(rate(execFileSync(bin('exec_storm'), ['20'], { encoding: 'utf8' }), 'execs').n).toBe(20);
    const paced = rate(execFileSync(bin('exec_storm'), ['--rate', '200', '0.5'], { encoding: 'utf8' }), 'execs');
    expect(paced.n).toBe(100);
    expect(paced.rate).toBeGreaterThan(150);
    expect(paced.rate).toBeLessThan(210);
  });
  it('connect_storm connects to its own loopback listener', () => {
    expect(rate(execFileSync(bin('connect_storm'), ['300'], { encoding: 'utf8' }), 'connects').n).toBe(300);
  });
  it('event_gen paces opens at the requested rate', () => {
    const r = rate(execFileSync(bin('event_gen'), ['2000', '0.5'], { encoding: 'utf8' }), 'events');
    expect(r.n).toBe(1000);
    expect(r.rate).toBeGreaterThan(1500);
    expect(r.rate).toBeLessThan(2100);
  });
  it('refuses junk arguments with exit 2 and a usage line', () => {
    for (const [name, args] of [['open_storm', ['ten']], ['exec_storm', ['--rate', 'x', '1']], ['event_gen', ['100']], ['connect_storm', ['-5']]] as const) {
      const r = spawnSync(bin(name), [...args], { encoding: 'utf8' });
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(/usage/);
    }
  });
});
