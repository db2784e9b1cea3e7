// The incident feed for automated responders: /v1/alerts/stream?incidents=opened
// carries one frame per new incident (the alert that opened it), in the
// alerts' sequence space, so resume by cursor works as for alerts. Every
// alert frame and record names its incident.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

const T = Date.parse('2026-12-01T10:00:00Z');
const init = { pid: 1, entity_id: 'init', args: ['/sbin/init'] };
let seq = 0;
/** An alert on process `entity` whose parent is `parent` (same parent, same incident). */
function alert(entity: string, parent: string): number {
  seq++;
  const ts = new Date(T + seq * 1000).toISOString();
  const process = { pid: 100 + seq, entity_id: entity, args: [entity], ancestors: [{ pid: 50, entity_id: parent, args: [parent] }, init] };
  const doc = { '@timestamp': ts, rule: { id: `r${seq}` }, process, event: { kind: 'alert' } };
  h.app.vigil.ingest.fromAgent('h1', seq, normalize<Alert>('Alert', sampleAlert(seq, { rule_id: `r${seq}`, timestamp: ts, json: JSON.stringify(doc) })));
  return seq;
}

type Frame = { seq: number; incident_id: number; incident_opened: boolean };

describe('incident feed', () => {
  it('replays then streams one frame per new incident, resumable by cursor; alert frames name their incident', async () => {
    h = await makeHarness();
    seq = 0;
    const base = await h.listen();
    alert('a', 'shell-1'); // opens incident 1
    alert('b', 'shell-1'); // joins it
    alert('c', 'shell-2'); // opens incident 2
    const inc = new TestSocket(`${base}/v1/alerts/stream?after=0&incidents=opened`, { token: h.tokens.viewer });
    const all = new TestSocket(`${base}/v1/alerts/stream?after=0`, { token: h.tokens.viewer });
    await inc.waitMessages(2);
    await all.waitMessages(3);
    expect(inc.json<Frame>().map((f) => [f.seq, f.incident_opened])).toEqual([[1, true], [3, true]]);
    expect(all.json<Frame>().map((f) => [f.seq, f.incident_id, f.incident_opened])).toEqual([[1, 1, true], [2, 1, false], [3, 2, true]]);

    // Live: one joining alert, then one that opens an incident (the marker that the first sent nothing).
    alert('d', 'shell-2');
    alert('e', 'shell-3');
    await inc.waitMessages(3);
    await all.waitMessages(5);
    expect(inc.json<Frame>().map((f) => f.seq)).toEqual([1, 3, 5]);
    expect(all.json<Frame>().slice(3).map((f) => [f.seq, f.incident_id, f.incident_opened])).toEqual([[4, 2, false], [5, 3, true]]);
    inc.close();

    // Resume from the cursor of the last frame: only later new incidents.
    alert('f', 'shell-3');
    alert('g', 'shell-4');
    const again = new TestSocket(`${base}/v1/alerts/stream?after=5&incidents=opened`, { token: h.tokens.viewer });
    await again.waitMessages(1);
    alert('h', 'shell-5');
    await again.waitMessages(2);
    expect(again.json<Frame>().map((f) => f.seq)).toEqual([7, 8]);

    // REST records carry the incident too.
    const rec = (await h.app.inject({ url: '/v1/alerts/6', headers: bearer(h.tokens.viewer) })).json().alert;
    expect(rec).toMatchObject({ seq: 6, incident_id: 3, incident_opened: false });
    again.close();
    all.close();
  });

  it('an unknown incidents value is refused before streaming', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const bad = new TestSocket(`${base}/v1/alerts/stream?incidents=all`, { token: h.tokens.viewer });
    expect(await bad.waitClosed()).toMatchObject({ code: 4400, reason: expect.stringContaining('incidents must be "opened"') });
  });
});
