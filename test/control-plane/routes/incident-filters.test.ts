// The incident list's filter bar over REST: severity lists, triage states,
// rule, case-insensitive tags, user and free text (through member alerts),
// severity counts, and a clear 400 for each bad value.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const get = (url: string) => h.app.inject({ url, headers: bearer(h.tokens.viewer) });
const ids = async (q: string) => (await get(`/v1/incidents?${q}`)).json().incidents.map((i: { id: number }) => i.id).sort();

// One alert per process, each process its own subtree: one incident per alert, id = seq.
function put(seq: number, sev: Alert['severity'], rule: string, exe: string, user: string, tactic: string): void {
  const doc = { process: { entity_id: `e${seq}`, pid: 100 + seq, executable: exe, ancestors: [{ pid: 1, entity_id: 'init' }] }, user: { name: user } };
  h.app.vigil.ingest.fromAgent('h1', seq, normalize<Alert>('Alert', sampleAlert(seq, {
    severity: sev, rule_id: rule, rule_name: `Rule ${rule}`, tactic_names: [tactic], json: JSON.stringify(doc),
  })));
}

async function seed(): Promise<void> {
  h = await makeHarness();
  put(1, 'SEVERITY_CRITICAL', 'rev-shell', '/tmp/sh', 'root', 'Execution');
  put(2, 'SEVERITY_HIGH', 'written-exec', '/tmp/dropper', 'alice', 'Execution');
  put(3, 'SEVERITY_MEDIUM', 'tmp-exec', '/usr/bin/curl', 'alice', 'Command and Control');
  put(4, 'SEVERITY_LOW', 'discovery', '/usr/bin/id', 'bob', 'Discovery');
  h.app.vigil.incidents.update(2, { state: 'acknowledged' });
  h.app.vigil.incidents.update(4, { state: 'closed', close_reason: 'benign' });
}

describe('GET /v1/incidents filters', () => {
  it('severity list, states, rule and tag (any case)', async () => {
    await seed();
    expect(await ids('severity=high,critical')).toEqual([1, 2]);
    expect(await ids('state=open,acknowledged')).toEqual([1, 2, 3]);
    expect(await ids('state=closed')).toEqual([4]);
    expect(await ids('rule=tmp-exec')).toEqual([3]);
    expect(await ids('tag=execution')).toEqual([1, 2]);
    expect(await ids('tag=DISCOVERY&state=closed')).toEqual([4]);
  });

  it('user and free text look into the member alerts', async () => {
    await seed();
    expect(await ids('user=alice')).toEqual([2, 3]);
    expect(await ids('q=%2Ftmp%2F')).toEqual([1, 2]);
    expect(await ids('q=rule%20DISCOVERY')).toEqual([4]);
    expect(await ids('q=nothing-like-this')).toEqual([]);
  });

  it('pages with before over a filter', async () => {
    await seed();
    const first = (await get('/v1/incidents?state=open,acknowledged&limit=2')).json();
    expect(first.incidents.map((i: { id: number }) => i.id)).toEqual([3, 2]);
    expect(first.next_before).toBe(2);
    expect(await ids(`state=open,acknowledged&limit=2&before=${first.next_before}`)).toEqual([1]);
  });

  it('counts by severity for the filter, ignoring its severity part', async () => {
    await seed();
    expect((await get('/v1/incidents/counts?severity=low&state=open,acknowledged')).json())
      .toEqual({ counts: { critical: 1, high: 1, medium: 1, low: 0, informational: 0 }, total: 3 });
  });

  it('rejects bad values with a 400 that names the good ones', async () => {
    await seed();
    const cases: Array<[string, RegExp]> = [
      ['state=resolved', /state must be a comma-separated list of open, acknowledged, closed; got "resolved"/],
      ['severity=urgent', /severity must be a comma-separated list of informational, low, medium, high, critical/],
      ['since=soon', /since must be an RFC 3339 time or a duration like 15m/],
      ['tag=', /tag/],
      ['rule=', /rule/],
      ['user=' + 'u'.repeat(300), /user/],
      ['q=', /q/],
      ['state=,', /state must be a comma-separated list/],
      ['before=0', /before/],
    ];
    for (const [q, msg] of cases) {
      for (const path of ['/v1/incidents', '/v1/incidents/counts']) {
        if (path.endsWith('counts') && q.startsWith('before')) continue; // paging is not a counts parameter
        const res = await get(`${path}?${q}`);
        expect(res.statusCode, `${path}?${q}`).toBe(400);
        expect(res.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
        expect(res.json().error.message).toMatch(msg);
      }
    }
  });
});
