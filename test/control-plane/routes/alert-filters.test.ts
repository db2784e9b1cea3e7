// The feed's filter bar over REST: severity lists, case-insensitive tags,
// user, free text, severity counts, and a clear 400 for each bad value.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const get = (url: string) => h.app.inject({ url, headers: bearer(h.tokens.viewer) });
const seqs = async (q: string) => (await get(`/v1/alerts?order=asc&${q}`)).json().alerts.map((a: { seq: number }) => a.seq);

function put(seq: number, sev: Alert['severity'], exe: string, user: string, tactic: string): void {
  const doc = { rule: { id: `r-${sev}` }, process: { executable: exe, command_line: `${exe} --flag` }, user: { id: '1000', name: user }, host: { name: 'web-1' } };
  h.app.vigil.ingest.fromAgent('h1', seq, normalize<Alert>('Alert', sampleAlert(seq, {
    severity: sev, rule_id: `r-${sev}`, rule_name: `Rule ${sev}`, tactic_names: [tactic], json: JSON.stringify(doc),
  })));
}

async function seed(): Promise<void> {
  h = await makeHarness();
  put(1, 'SEVERITY_CRITICAL', '/tmp/sh', 'root', 'Execution');
  put(2, 'SEVERITY_HIGH', '/usr/bin/curl', 'alice', 'Command and Control');
  put(3, 'SEVERITY_MEDIUM', '/tmp/sh', 'alice', 'Execution');
  put(4, 'SEVERITY_LOW', '/usr/bin/id', 'bob', 'Discovery');
}

describe('GET /v1/alerts filters', () => {
  it('severity takes a list of names', async () => {
    await seed();
    expect(await seqs('severity=high,critical')).toEqual([1, 2]);
    expect(await seqs('severity=LOW')).toEqual([4]);
    expect(await seqs('severity=medium&host=h1')).toEqual([3]);
  });

  it('tag matches without regard to case', async () => {
    await seed();
    expect(await seqs('tag=execution')).toEqual([1, 3]);
    expect(await seqs('tag=EXECUTION')).toEqual([1, 3]);
    expect(await seqs('tag=command%20and%20control')).toEqual([2]);
  });

  it('user matches the alert document\'s user name or id', async () => {
    await seed();
    expect(await seqs('user=alice')).toEqual([2, 3]);
    expect(await seqs('user=1000')).toEqual([1, 2, 3, 4]);
    expect(await seqs('user=mallory')).toEqual([]);
  });

  it('q searches rule, executable, command line, host name and user, case-insensitively', async () => {
    await seed();
    expect(await seqs('q=%2Ftmp%2Fsh')).toEqual([1, 3]);
    expect(await seqs('q=CURL')).toEqual([2]);
    expect(await seqs('q=rule%20severity_low')).toEqual([4]);
    expect(await seqs('q=web-1')).toEqual([1, 2, 3, 4]);
    expect(await seqs('q=bob')).toEqual([4]);
    expect(await seqs('q=%25')).toEqual([]); // no LIKE wildcards: % is just a character
  });

  it('counts by severity for the filter, ignoring its severity part', async () => {
    await seed();
    const body = (await get('/v1/alerts/counts?severity=critical&tag=execution')).json();
    expect(body).toEqual({ counts: { critical: 1, high: 0, medium: 1, low: 0, informational: 0 }, total: 2 });
    expect((await get('/v1/alerts/counts?user=alice')).json().total).toBe(2);
  });

  it('rejects bad values with a 400 that names the good ones', async () => {
    await seed();
    const cases: Array<[string, RegExp]> = [
      ['severity=high,extreme', /severity must be a comma-separated list of informational, low, medium, high, critical; got "high,extreme"/],
      ['severity=,', /severity must be a comma-separated list/],
      ['since=15m&until=2h', /since \(15m\) is later than until \(2h\); swap them/],
      ['since=yesterday', /since must be an RFC 3339 time or a duration like 15m/],
      ['user=', /user/],
      ['tag=', /tag/],
      ['rule=' + 'r'.repeat(300), /rule/],
      ['q=' + 'x'.repeat(300), /q/],
    ];
    for (const [q, msg] of cases) {
      for (const path of ['/v1/alerts', '/v1/alerts/counts']) {
        const res = await get(`${path}?${q}`);
        expect(res.statusCode, `${path}?${q}`).toBe(400);
        expect(res.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
        expect(res.json().error.message).toMatch(msg);
      }
    }
  });
});
