// The analyst's workflow in a real browser against a real agent and a real
// detection (issue 15's targets). The README's example — copy /bin/sh to a
// temp dir and run it with /dev/tcp/ in its command line, here with one
// child that connects — must be ONE incident holding its three alerts.
// Then, only through the page: filter to high and critical on this host in
// the last 15 minutes, open the incident, walk the investigation tree to
// the child's connection, acknowledge, close as benign with an exception.
// Running the same behaviour again must not alert: checked against a
// marker (a second copy doing the same, which must alert), never a sleep.
// Screenshots of each view are what docs/img/ holds for the README.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, queryHistory, startStack, tail, until, type Stack } from './browser-stack';

// Screenshots go to test/artifacts/ (ignored) unless asked for the README:
// VIGIL_SCREENSHOTS=docs/img refreshes the committed ones.
const IMG = join(ROOT, process.env.VIGIL_SCREENSHOTS ?? 'test/artifacts/analyst');
const RULES = {
  '54ae06b7-0eaa-521c-ada1-cc3075daaa03': 'Reverse Shell: /dev/tcp, Netcat Exec Or Socat Exec',
  '01564fa3-2b59-53ad-9f7f-c14426b830e8': 'Binary Written Then Executed',
  'be342ede-8eff-55fa-8089-e1bee004b7cc': 'Execution From A World-Writable Temporary Directory',
};
const RULE_IDS = Object.keys(RULES).sort();

describe('analyst workflow (real browser, real agent, real detection)', () => {
  let s: Stack;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    s = await startStack('vigil-analyst-');
    page = s.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(IMG, { recursive: true });
  }, 90_000);

  afterAll(async () => { await s?.stop(); }, 60_000);

  const alertsOf = (exe: string, afterSeq = 0) => s.app.vigil.alerts.page({}, { order: 'asc', limit: 1000, cursor: afterSeq })
    .filter((a) => (a.doc.process as { executable?: string } | undefined)?.executable === exe);
  const rulesOf = (exe: string, afterSeq = 0) => [...new Set(alertsOf(exe, afterSeq).map((a) => a.rule_id))].sort();
  /**
   * The README's line typed into a shell (on its stdin, as a reader's terminal
   * would, so no `sh -c` argv carries it), with a child (curl) that connects.
   */
  const readmeExample = (sh: string) => spawnSync('/bin/sh', [], {
    input: `cp /bin/sh ${sh} && ${sh} -c 'echo /dev/tcp/10.0.0.1/4444 >/dev/null; curl -s -m 1 -o /dev/null http://127.0.0.1:${s.port}/v1/health; true'\n`,
  });

  it('one incident; filter, investigate, triage and except it in the page; the behaviour stops alerting', async () => {
    // The probes are attached once an exec is in the agent's history: /bin/true with a
    // unique argument (a copy in a temp dir would itself alert and join the incident).
    const ready = `vigil-e2e-ready-${process.pid}`;
    await until(() => {
      spawnSync('/bin/true', [ready]);
      return queryHistory(s.dir, ['--exe', '*/true', '--action', 'exec', '--since', '5m', '--limit', '1000'])
        .some((e) => JSON.stringify((e.process as { args?: string[] } | undefined)?.args ?? []).includes(ready));
    }, 45_000, 'the agent to record an exec', s.agentLog);

    const sh = join(s.dir, 'sh');
    expect(readmeExample(sh).status).toBe(0);
    await until(() => rulesOf(sh).length >= 3, 30_000, `three alerts for ${sh}`, s.agentLog);
    expect(rulesOf(sh)).toEqual(RULE_IDS);
    const incidentIds = new Set(alertsOf(sh).map((a) => s.app.vigil.incidents.incidentOf(a.seq)));
    expect(incidentIds.size).toBe(1);
    const incidentId = [...incidentIds][0]!;
    expect(s.app.vigil.incidents.get(incidentId)).toMatchObject({ severity: 'critical', distinct_count: 3, state: 'open' });
    expect([...s.app.vigil.incidents.get(incidentId)!.rules].sort()).toEqual(RULE_IDS);
    // Something the filter must hide: a medium incident on this host.
    const medium = s.app.vigil.ingest.raise({ rule_id: 'e2e-medium', rule_name: 'A medium thing', host_id: s.hostId, severity: 'SEVERITY_MEDIUM' });
    const mediumIncident = s.app.vigil.incidents.incidentOf(medium.seq)!;

    // Sign in: the page opens on incidents.
    await page.goto(`${s.base}/`);
    await page.getByTestId('token-input').fill(s.responderToken);
    await page.getByTestId('token-submit').click();
    await page.locator('[data-testid="feed-status"][data-state="live"]').waitFor({ timeout: 10_000 });
    const view = page.locator('#view-incidents');
    const row = view.locator(`[data-testid="incident-row"][data-id="${incidentId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await view.locator(`[data-testid="incident-row"][data-id="${mediumIncident}"]`).waitFor();

    // Filter: high and critical, this host (by its name), the last 15 minutes.
    const hostname = s.app.vigil.agents.get(s.hostId)!.hostname;
    await view.getByTestId('filter-severity-high').check();
    await view.getByTestId('filter-severity-critical').check();
    await view.getByTestId('filter-host').selectOption({ label: hostname });
    await view.getByTestId('filter-range').selectOption('15m');
    const filtered = `#/incidents?severity=critical,high&host=${s.hostId}&since=15m`;
    await expect.poll(() => new URL(page.url()).hash).toBe(filtered);
    await expect.poll(() => view.locator(`[data-testid="incident-row"][data-id="${mediumIncident}"]`).count()).toBe(0);
    await row.waitFor();
    const shown = await view.getByTestId('incident-row').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.severity, (e as HTMLElement).dataset.host]));
    expect(shown.length).toBeGreaterThanOrEqual(1);
    for (const [sev, host] of shown) {
      expect(['high', 'critical']).toContain(sev);
      expect(host).toBe(s.hostId);
    }
    expect(Number(await view.getByTestId('count-critical').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await view.getByTestId('count-medium').textContent())).toBeGreaterThanOrEqual(1); // counts ignore the severity part
    expect(await row.getByTestId('incident-host').textContent()).toBe(hostname);

    // Open it: its three alerts, full titles.
    await row.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`${filtered}&incident=${incidentId}`);
    const detail = page.getByTestId('incident-detail');
    await expect.poll(() => detail.locator('[data-testid="incident-alert"][data-duplicate="false"]').count()).toBe(3);
    const titles = await detail.locator('[data-testid="incident-alert"] .title').allTextContents();
    for (const name of Object.values(RULES)) expect(titles).toContain(name);
    const clipped = await detail.locator('[data-testid="incident-alert"] .title').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).length);
    expect(clipped).toBe(0);
    await page.screenshot({ path: join(IMG, 'incidents.png') });

    // Investigate: the tree around the shell; walk to its child's connection.
    await detail.getByTestId('incident-investigate').click();
    const tree = page.getByTestId('investigation-tree');
    await tree.waitFor({ timeout: 20_000 });
    const focus = tree.locator('[data-testid="investigation-node"][data-relation="focus"]');
    expect(await focus.getByTestId('node-exe').textContent()).toBe(sh);
    expect(await tree.locator('[data-relation="ancestor"][data-pid="1"]').count()).toBe(1);
    const child = tree.locator('[data-testid="investigation-node"][data-relation="child"]').filter({ has: page.getByTestId('node-exe').filter({ hasText: /\/curl$/ }) });
    await child.waitFor();
    await child.locator('a.pnode-link').click();
    await expect.poll(() => new URL(page.url()).hash).toContain('node=');
    const timeline = page.getByTestId('investigation-timeline');
    // By its summary line: the JSON under it also names the port (curl's argv).
    const connection = timeline.locator('[data-testid="timeline-item"][data-action="connect"]')
      .filter({ has: page.getByTestId('timeline-detail').filter({ hasText: `127.0.0.1:${s.port}` }) });
    await connection.first().waitFor({ timeout: 10_000 });
    await connection.first().getByTestId('timeline-detail').click();
    const connectDoc = JSON.parse((await connection.first().locator('pre.json').textContent())!);
    expect(connectDoc).toMatchObject({ event: { action: 'connect' }, destination: { ip: '127.0.0.1', port: s.port }, process: { executable: expect.stringMatching(/\/curl$/) } });
    await page.screenshot({ path: join(IMG, 'investigation.png'), fullPage: true });

    // The URL reproduces the view, and back returns to the filtered incident.
    await page.reload();
    await connection.first().waitFor({ timeout: 20_000 });
    await page.goBack();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).hash).toBe(`${filtered}&incident=${incidentId}`);
    expect(await view.getByTestId('filter-severity-high').isChecked()).toBe(true);
    expect(await view.getByTestId('filter-severity-medium').isChecked()).toBe(false);
    await expect.poll(() => detail.getByTestId('incident-detail-title').textContent()).toBe(RULES['54ae06b7-0eaa-521c-ada1-cc3075daaa03']);

    // Triage: acknowledge, then close as benign with an exception per rule.
    await detail.getByTestId('incident-ack').click();
    await expect.poll(() => detail.getByTestId('incident-detail-state').textContent()).toBe('acknowledged');
    await detail.getByTestId('incident-close-benign').click();
    const offer = detail.getByTestId('exception-offer');
    await offer.waitFor();
    expect((await offer.getByTestId('exception-rule').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).sort()).toEqual(RULE_IDS);
    expect((await offer.getByTestId('exception-executables').inputValue()).split('\n')).toContain(sh);
    const closedAt = s.app.vigil.alerts.maxSeq();
    await offer.getByTestId('incident-close-confirm').click();
    // Either it closes, or the page says why not (e.g. POST /v1/exceptions refused): fail with that message.
    const closedOrRefused = async () => (await detail.getByTestId('incident-detail-state').textContent()) === 'closed (benign)'
      || (await detail.getByTestId('exception-error').count() > 0 && Boolean(await detail.getByTestId('exception-error').textContent()));
    await expect.poll(closedOrRefused, { timeout: 10_000 }).toBe(true);
    expect(await detail.getByTestId('exception-error').count() ? await detail.getByTestId('exception-error').textContent() : '').toBe('');
    expect(await detail.getByTestId('incident-detail-state').textContent()).toBe('closed (benign)');
    await detail.getByTestId('exceptions-created').waitFor();
    expect(s.app.vigil.incidents.get(incidentId)).toMatchObject({ state: 'closed', close_reason: 'benign' });
    const listed = (await s.app.inject({ url: '/v1/exceptions', headers: { authorization: `Bearer ${s.responderToken}` } })).json().exceptions as
      Array<{ rule: string; match: Record<string, string[]>; incident_id?: number }>;
    const ours = listed.filter((e) => e.incident_id === incidentId);
    expect(ours.map((e) => e.rule).sort()).toEqual(RULE_IDS);
    for (const e of ours) expect(e.match['process.executable']).toEqual([sh]);

    // The same behaviour again: no alert for it. The marker, a second copy doing
    // the same, must alert after it, so its three alerts prove the agent got that far.
    expect(readmeExample(sh).status).toBe(0);
    const marker = join(s.dir, 'sh-marker');
    expect(readmeExample(marker).status).toBe(0);
    await until(() => rulesOf(marker, closedAt).length >= 3, 30_000, `three alerts for the marker ${marker}`, s.agentLog);
    expect(alertsOf(sh, closedAt).map((a) => `${a.rule_name} (#${a.seq})`), `agent log:\n${tail(s.agentLog)}`).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('the feed filters and pages, alerts have their own URL and full related rows, phone widths, hosts, exceptions', async () => {
    const sh = join(s.dir, 'sh');
    const reverse = alertsOf(sh).find((a) => a.rule_id === '54ae06b7-0eaa-521c-ada1-cc3075daaa03');
    expect(reverse).toBeDefined();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${s.base}/#/alerts`);
    const view = page.locator('#view-alerts');
    await view.getByTestId('alert-row').first().waitFor({ timeout: 10_000 });
    await view.getByTestId('filter-severity-critical').check();
    await view.getByTestId('filter-tag').fill('execution');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 5000 }).toBe('#/alerts?severity=critical&tag=execution');
    await expect.poll(async () => (await view.getByTestId('alert-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.severity))).every((x) => x === 'critical')).toBe(true);
    const row = view.locator(`[data-testid="alert-row"][data-seq="${reverse!.seq}"]`);
    await row.waitFor();
    const stored = s.app.vigil.alerts.page({ severity_ranks: [5], tag: 'execution' }, { order: 'desc', limit: 1000 }).length;
    expect(Number(await view.getByTestId('filter-total').textContent().then((t) => t?.split(' ')[0]))).toBe(stored);
    await row.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/alerts?severity=critical&tag=execution&alert=${reverse!.seq}`);
    const detail = page.getByTestId('alert-detail');
    await detail.getByTestId('related-events').waitFor();
    // Related activity rows name their process (they used to have an empty pid and executable).
    const related = await detail.getByTestId('related-events').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[2]?.textContent, r.children[3]?.textContent]));
    for (const [pid, exe] of related) {
      expect(pid).toMatch(/^\d+$/);
      expect(exe).not.toBe('');
    }
    await detail.getByTestId('rule-exceptions').waitFor();
    await page.screenshot({ path: join(IMG, 'alerts.png') });

    // An alert's own URL opens it in a fresh page.
    const fresh = await s.ctx.newPage();
    await fresh.goto(`${s.base}/#/alerts?alert=${reverse!.seq}`);
    // The token lives in one tab's session storage: a new tab signs in, then shows the linked alert.
    await fresh.getByTestId('token-input').fill(s.responderToken);
    await fresh.getByTestId('token-submit').click();
    await expect.poll(() => fresh.getByTestId('alert-detail').getByTestId('detail-rule').textContent(), { timeout: 10_000 }).toBe(reverse!.rule_name);

    // Phone: the detail pane is readable (it used to be about 20 px wide).
    await fresh.setViewportSize({ width: 390, height: 844 });
    const width = await fresh.getByTestId('alert-detail').evaluate((e) => e.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(330);
    await fresh.getByTestId('alert-detail').scrollIntoViewIfNeeded();
    await fresh.screenshot({ path: join(IMG, 'phone-alert.png') });
    // The investigation on a phone: tree and timeline stacked, each the screen's width.
    await fresh.getByTestId('detail-investigate').click();
    await fresh.getByTestId('investigation-tree').waitFor({ timeout: 20_000 });
    for (const id of ['investigation-tree', 'investigation-timeline']) {
      expect(await fresh.getByTestId(id).evaluate((e) => e.getBoundingClientRect().width), id).toBeGreaterThan(330);
    }
    expect(await fresh.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await fresh.screenshot({ path: join(IMG, 'phone-investigation.png') });
    await fresh.close();

    // Paging into history: 150 alerts of one rule are a page of 100, then "Older" shows the rest.
    for (let i = 0; i < 150; i++) s.app.vigil.ingest.raise({ rule_id: 'e2e-history', rule_name: `History ${i}`, host_id: s.hostId, severity: 'SEVERITY_LOW' });
    await page.goto(`${s.base}/#/alerts?rule=e2e-history`);
    const feedRows = page.locator('#view-alerts').getByTestId('alert-row');
    await expect.poll(() => feedRows.count(), { timeout: 10_000 }).toBe(100);
    await page.getByTestId('alerts-older').click();
    await expect.poll(() => feedRows.count()).toBe(150);
    expect(await page.getByTestId('alerts-older').isHidden()).toBe(true);
    expect(await feedRows.last().getByTestId('alert-rule').textContent()).toBe('History 0');

    await page.getByTestId('tab-hosts').click();
    await expect.poll(() => page.getByTestId('host-row').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('online');
    await page.screenshot({ path: join(IMG, 'hosts.png') });
    await page.getByTestId('tab-exceptions').click();
    const exceptionRows = page.getByTestId('exceptions').getByTestId('exception-row');
    await exceptionRows.first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(IMG, 'exceptions.png') });
    // Remove one from the page: DELETE /v1/exceptions/:id, and the list follows.
    const before = await exceptionRows.count();
    const gone = await exceptionRows.first().getAttribute('data-id');
    page.once('dialog', (d) => void d.accept());
    await exceptionRows.first().getByTestId('exception-remove').click();
    await expect.poll(() => exceptionRows.count()).toBe(before - 1);
    expect(s.app.vigil.exceptions.list().map((e: { id: number }) => String(e.id))).not.toContain(gone);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
