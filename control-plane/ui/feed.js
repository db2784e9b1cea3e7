// The alert feed: pages of GET /v1/alerts for the current filter (newest
// first, "Older" pages back through history with the seq cursor), severity
// counts from /v1/alerts/counts, and the /v1/alerts/stream socket for live
// alerts. The socket resumes with ?after=<last seq seen>, so nothing is
// missed; without a filter a live alert is shown as it arrives, with one
// the first page is re-read so the server decides what matches.
import { api, streamUrl } from './api.js';
import { h } from './dom.js';
import { filterQuery } from './filter-bar.js';
import { clock, get, severityOf, stamp, str } from './format.js';
import { hostName } from './host-names.js';

const PAGE = 100;
const MAX_ROWS = 1000;
const REFRESH_MS = 250;
const AUTH_CLOSE = new Set([4401, 4403]);

export class AlertFeed {
  constructor({ list, status, count, more, bar, onSelect, onAuthFailed }) {
    Object.assign(this, { list, status, count, more, bar, onSelect, onAuthFailed });
    this.rows = new Map();          // seq -> AlertRecord shown for the current filter
    this.query = null;              // the filter's query string
    this.cursor = null;             // next_cursor of the oldest page loaded
    this.streamSeq = 0;             // highest seq the stream delivered (or the newest stored at start)
    this.ws = null;
    this.timer = null;
    this.refreshTimer = null;
    this.backoffMs = 500;
    this.stopped = true;
    this.selected = null;
    this.loading = 0;
    more.addEventListener('click', () => void this.older());
  }

  async start() {
    this.stopped = false;
    this.setStatus('connecting');
    try {
      const newest = await api('/v1/alerts?limit=1&order=desc');
      this.streamSeq = Number(newest?.alerts?.[0]?.seq ?? 0);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.authFailed(err.message);
      // The stream then replays from seq 0: slower, still correct.
    }
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.refreshTimer);
    if (this.ws) this.ws.close(1000, 'signed out');
    this.ws = null;
    this.setStatus('offline');
  }

  /** Shows the alerts matching the URL's filter; a new filter starts again from the newest. */
  setFilter(params) {
    const q = filterQuery(params).toString();
    if (q === this.query) return;
    this.query = q;
    this.rows.clear();
    this.cursor = null;
    this.render();
    void this.load();
  }

  async load(cursor) {
    const q = new URLSearchParams(this.query ?? '');
    q.set('limit', String(PAGE));
    if (cursor) q.set('cursor', String(cursor));
    const asked = this.query;
    this.loading++;
    this.list.parentElement?.setAttribute('aria-busy', 'true');
    try {
      const [page, counts] = await Promise.all([api(`/v1/alerts?${q}`), cursor ? null : api(`/v1/alerts/counts?${filterQuery(q)}`)]);
      if (asked !== this.query) return;
      for (const rec of page.alerts ?? []) this.rows.set(Number(rec.seq), rec);
      // Only the oldest page decides where "Older" continues from.
      if (cursor || this.cursor === null) this.cursor = page.next_cursor ?? 0;
      if (counts) this.bar.showCounts(counts);
      this.render();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.authFailed(err.message);
      this.list.replaceChildren(h('li', { class: 'error', testid: 'feed-error' }, err.message));
    } finally {
      if (--this.loading === 0) this.list.parentElement?.setAttribute('aria-busy', 'false');
    }
  }

  older() {
    if (this.cursor) return this.load(this.cursor);
  }

  connect() {
    if (this.stopped) return;
    const ws = new WebSocket(streamUrl(this.streamSeq));
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.backoffMs = 500;
      this.setStatus('live');
    });
    ws.addEventListener('message', (ev) => {
      let rec;
      try {
        rec = JSON.parse(ev.data);
      } catch {
        return; // not a JSON feed frame; ignore rather than break the feed
      }
      this.live(rec);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      if (AUTH_CLOSE.has(ev.code)) return this.authFailed(ev.reason || 'token refused by the alert stream');
      this.setStatus('reconnecting', ev.reason);
      this.timer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
    });
  }

  live(rec) {
    const seq = Number(rec?.seq);
    if (!Number.isSafeInteger(seq) || seq <= this.streamSeq) return;
    this.streamSeq = seq;
    if (this.query === '') {
      this.rows.set(seq, rec);
      this.trim();
      this.render();
    }
    // Counts (and a filtered first page) come from the server: one re-read per burst.
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.load(), REFRESH_MS);
  }

  /** A long-open feed keeps the newest MAX_ROWS; "Older" pages back from the oldest kept. */
  trim() {
    if (this.rows.size <= MAX_ROWS) return;
    const seqs = [...this.rows.keys()].sort((a, b) => a - b);
    for (const seq of seqs.slice(0, seqs.length - MAX_ROWS)) this.rows.delete(seq);
    this.cursor = seqs[seqs.length - MAX_ROWS];
  }

  authFailed(message) {
    this.stop();
    this.onAuthFailed(message);
  }

  setStatus(state, detail = '') {
    this.status.dataset.state = state;
    this.status.textContent = state;
    this.status.title = detail ? `${state}: ${detail}` : `alert stream ${state}; last seq ${this.streamSeq}`;
  }

  render() {
    const recs = [...this.rows.values()].sort((a, b) => b.seq - a.seq);
    this.bar.addRules(recs.map((r) => str(r.rule_id)));
    this.list.replaceChildren(...recs.map((r) => this.row(r)));
    this.count.textContent = String(recs.length);
    this.list.parentElement?.classList.toggle('empty', recs.length === 0);
    this.more.hidden = !this.cursor;
  }

  row(rec) {
    const doc = rec.doc ?? {};
    const sev = severityOf(rec);
    const ts = str(doc['@timestamp']) || str(rec.timestamp);
    const host = str(get(doc, 'host.name')) || hostName(str(rec.host_id));
    const exe = str(get(doc, 'process.executable')) || str(get(doc, 'process.name'));
    return h('li', {
      class: ['alert-row', `sev-${sev}`, this.selected === Number(rec.seq) && 'selected'],
      testid: 'alert-row', data: { seq: rec.seq, severity: sev, host: str(rec.host_id) }, tabindex: 0,
      on: {
        click: () => this.onSelect(Number(rec.seq)),
        keydown: (e) => { if (e.key === 'Enter') this.onSelect(Number(rec.seq)); },
      },
    },
    h('span', { class: 'sev', testid: 'alert-severity' }, sev),
    h('time', { class: 'time', datetime: ts, title: stamp(ts) }, clock(ts)),
    h('span', { class: 'rule', testid: 'alert-rule' }, str(rec.rule_name) || str(get(doc, 'rule.name')) || str(rec.rule_id)),
    h('span', { class: 'host', testid: 'alert-host', title: str(rec.host_id) }, host),
    h('span', { class: 'exe', testid: 'alert-exe', title: exe }, exe));
  }

  select(seq) {
    this.selected = seq === null ? null : Number(seq);
    for (const el of this.list.querySelectorAll('.selected')) el.classList.remove('selected');
    if (this.selected !== null) this.list.querySelector(`[data-seq="${this.selected}"]`)?.classList.add('selected');
  }
}
