// `vigil query --incident`: the incident from a real control plane, and each
// alerting process's activity through its fan-out to the (protocol-level) agent.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../proto/src';
import { runIncidentQuery } from '../../agent/src/query/incident-query';
import { FakeAgent, sampleAlert } from '../control-plane/helpers/fake-agent';
import { makeHarness, type Harness } from '../control-plane/helpers/harness';

let h: Harness;
let agent: FakeAgent | undefined;
afterEach(async () => {
  agent?.close();
  delete process.env.VIGIL_TOKEN;
  await h?.close();
});

const T = Date.parse('2026-12-01T10:00:00Z');
const init = { pid: 1, entity_id: 'init', args: ['/sbin/init'] };
const shell = { pid: 200, entity_id: 'bash-200', args: ['-bash'], ancestors: [init] };
const tool = { pid: 300, entity_id: 'tool-300', args: ['/tmp/x'], executable: '/tmp/x', ancestors: [shell, init] };

function alert(seq: number, rule: string, process: typeof tool, atS: number): void {
  const ts = new Date(T + atS * 1000).toISOString();
  const doc = { '@timestamp': ts, event: { kind: 'alert', id: `al-${seq}`, severity: 73 }, rule: { id: rule, name: rule, level: 'high' }, process: { ...process, command_line: process.args.join(' ') } };
  h.app.vigil.ingest.fromAgent('h1', seq, normalize<Alert>('Alert', sampleAlert(seq, { rule_id: rule, rule_name: rule, severity: 'SEVERITY_HIGH', timestamp: ts, json: JSON.stringify(doc) })));
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(...t.split('\n')), err: (t: string) => err.push(t) }, out, err };
}

describe('vigil query --incident', () => {
  it('prints the incident, its alerts by severity name with entity ids, and what the process did', async () => {
    h = await makeHarness();
    const base = await h.listen();
    agent = await FakeAgent.connect(base, h.agentToken('h1'), { host_id: 'h1' });
    const asked: string[] = [];
    agent.onQuery = (req) => {
      asked.push(req.entity_id);
      return { rows: [
        { '@timestamp': new Date(T + 1000).toISOString(), event: { kind: 'event', action: 'connect' }, process: { pid: 300, entity_id: req.entity_id, executable: '/tmp/x' }, destination: { ip: '203.0.113.9', port: 4444 } },
        { '@timestamp': new Date(T).toISOString(), event: { kind: 'event', action: 'exec' }, process: { pid: 300, entity_id: req.entity_id, executable: '/tmp/x', command_line: '/tmp/x -c' } },
      ] };
    };
    alert(1, 'binary-written-then-executed', tool, 0);
    alert(2, 'exec-from-tmp', tool, 0);
    const id = h.app.vigil.incidents.page({}, 10)[0].id;
    process.env.VIGIL_TOKEN = h.tokens.responder;
    const c = capture();
    expect(await runIncidentQuery({ incident: String(id), controlPlane: base }, c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(asked).toEqual(['tool-300']);
    expect(c.out[0]).toBe(`incident ${id} [high] open: binary-written-then-executed`);
    expect(c.out[1]).toMatch(/^host h1, .* 2 alerts \(2 distinct\), rules: /);
    const alertLines = c.out.filter((l) => l.includes('ALERT'));
    expect(alertLines).toHaveLength(2);
    for (const l of alertLines) expect(l).toMatch(/tool-300 .*\[high\] /);
    const did = c.out.slice(c.out.indexOf('what the 1 alerting process did:') + 1).filter((l) => /exec|connect/.test(l));
    expect(did.map((l) => l.split(/\s+/)[1])).toEqual(['exec', 'connect']);
    expect(did[1]).toContain('-> 203.0.113.9:4444');

    const j = capture();
    await runIncidentQuery({ incident: String(id), controlPlane: base, json: true }, j.io);
    const docs = j.out.filter(Boolean).map((l) => JSON.parse(l));
    expect(docs.map((d) => d.event.kind)).toEqual(['alert', 'alert', 'event', 'event']);
  });

  it('a viewer sees the alerts and is told why activity is missing; bad ids and missing settings are clear errors', async () => {
    h = await makeHarness();
    const base = await h.listen();
    alert(1, 'exec-from-tmp', tool, 0);
    const id = h.app.vigil.incidents.page({}, 10)[0].id;
    process.env.VIGIL_TOKEN = h.tokens.viewer;
    const c = capture();
    expect(await runIncidentQuery({ incident: String(id), controlPlane: base }, c.io)).toBe(0);
    expect(c.out.filter((l) => l.includes('ALERT'))).toHaveLength(1);
    expect(c.err[0]).toMatch(/^process activity unavailable: \/v1\/query: 403/);

    await expect(runIncidentQuery({ incident: '999', controlPlane: base }, c.io)).rejects.toThrow(/\/v1\/incidents\/999: 404 no such resource: no incident 999/);
    await expect(runIncidentQuery({ incident: 'abc', controlPlane: base }, c.io)).rejects.toThrow(/incident: give the incident number/);
    await expect(runIncidentQuery({ incident: '1' }, c.io)).rejects.toThrow(/add --control-plane/);
    delete process.env.VIGIL_TOKEN;
    await expect(runIncidentQuery({ incident: '1', controlPlane: base }, c.io)).rejects.toThrow(/VIGIL_TOKEN/);
    await expect(runIncidentQuery({ incident: '1', controlPlane: 'http://127.0.0.1:1' , tokenFile: '/dev/null' }, c.io)).rejects.toThrow(/cannot reach the control plane/);
  });
});
