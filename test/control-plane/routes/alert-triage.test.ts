// Triage of a single alert: PATCH /v1/alerts/:seq with the incident's states,
// reasons, assignee and comments; audited; viewers and bad input refused and
// nothing changed.
import { afterEach, describe, expect, it } from 'vitest';
import { ingestAlerts } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const patch = (seq: number, body: unknown, token = h.tokens.responder) =>
  h.app.inject({ method: 'PATCH', url: `/v1/alerts/${seq}`, headers: bearer(token), payload: body as object });
const detail = async (seq: number) => (await h.app.inject({ url: `/v1/alerts/${seq}`, headers: bearer(h.tokens.viewer) })).json();

describe('PATCH /v1/alerts/:seq', () => {
  it('acknowledges, assigns, comments and closes with a reason; the detail shows it; audited', async () => {
    h = await makeHarness();
    ingestAlerts(h.app.vigil, 'h1', 1, 2);
    expect((await detail(1)).triage).toMatchObject({ seq: 1, state: 'open', close_reason: null, assignee: null });

    const ack = await patch(1, { state: 'acknowledged', assignee: 'ann', comment: 'looking' });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().triage).toMatchObject({ state: 'acknowledged', assignee: 'ann', updated_by: expect.any(String) });
    const closed = await patch(1, { state: 'closed', close_reason: 'false_positive' });
    expect(closed.json().triage).toMatchObject({ state: 'closed', close_reason: 'false_positive', assignee: 'ann' });
    const d = await detail(1);
    expect(d.triage.state).toBe('closed');
    expect(d.comments.map((c: { text: string }) => c.text)).toEqual(['looking']);
    expect((await detail(2)).triage.state).toBe('open');
    const audit = (await h.app.inject({ url: '/v1/audit', headers: bearer(h.tokens.responder) })).json().entries;
    expect(audit.filter((e: { action: string }) => e.action === 'alert.update').map((e: { detail: { to: object } }) => e.detail.to))
      .toEqual([{ state: 'closed', close_reason: 'false_positive' }, { state: 'acknowledged', assignee: 'ann', comment: 'looking' }]);
  });

  it('refuses an unknown state, a reason without closing, closing without a reason, a long comment, a viewer and a missing alert', async () => {
    h = await makeHarness();
    ingestAlerts(h.app.vigil, 'h1', 1, 1);
    for (const [body, status, why] of [
      [{ state: 'resolved' }, 400, /state/],
      [{ close_reason: 'benign' }, 400, /close_reason goes with/],
      [{ state: 'closed' }, 400, /closing needs close_reason/],
      [{ comment: 'x'.repeat(4001) }, 400, /comment/],
      [{}, 400, /fewer than 1|minProperties|must NOT have fewer/],
    ] as const) {
      const r = await patch(1, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(status);
      expect(r.json().error.message).toMatch(why);
    }
    expect((await patch(1, { state: 'acknowledged' }, h.tokens.viewer)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'PATCH', url: '/v1/alerts/1', payload: { state: 'bogus' } })).statusCode).toBe(401);
    expect((await patch(99, { state: 'acknowledged' })).statusCode).toBe(404);
    expect((await detail(1)).triage.state).toBe('open');
  });
});
