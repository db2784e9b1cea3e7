// The live alert feed: the newest page from GET /v1/alerts, then the
// /v1/alerts/stream socket from the highest seq seen. Every reconnect
// resumes with ?after=<last seq>, so nothing is missed or shown twice.
import { api, streamUrl } from './api.js';
import { h } from './dom.js';
import { clock, get, severityOf, stamp, str } from './format.js';

const MAX_ROWS = 500;
const INITIAL_PAGE = 100;
const AUTH_CLOSE = new Set([4401, 4403]);

export class AlertFeed {
  constructor({ list, status, count, onSelect, onAuthFailed }) {
    Object.assign(this, { list, status, count, onSelect, onAuthFailed });
    this.lastSeq = 0;
    this.ws = null;
    this.timer = null;
    this.backoffMs = 500;
    this.stopped = true;
    this.selected = null;
  }

  async start() {
    this.stopped = false;
    this.setStatus('connecting');
    try {
      const page = await api(`/v1/alerts?limit=${INITIAL_PAGE}&order=desc`);
      if (this.stopped) return;
      for (const rec of [...page.alerts].reverse()) this.add(rec);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.authFailed(err.message);
      // The stream replays from seq 0 below, so the page is not needed to stay correct.
    }
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'signed out');
    this.ws = null;
    this.setStatus('offline');
  }

  connect() {
    if (this.stopped) return;
    const ws = new WebSocket(streamUrl(this.lastSeq));
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
      this.add(rec);
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

  authFailed(message) {
    this.stop();
    this.onAuthFailed(message);
  }

  setStatus(state, detail = '') {
    this.status.dataset.state = state;
    this.status.textContent = state;
    this.status.title = detail ? `${state}: ${detail}` : `alert stream ${state}; last seq ${this.lastSeq}`;
  }

  /** Adds one AlertRecord at the top; anything at or below the last seq is a repeat. */
  add(rec) {
    const seq = Number(rec?.seq);
    if (!Number.isSafeInteger(seq) || seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.list.prepend(this.row(rec));
    while (this.list.childElementCount > MAX_ROWS) this.list.lastElementChild.remove();
    this.count.textContent = String(this.list.childElementCount);
    this.list.parentElement?.classList.remove('empty');
  }

  row(rec) {
    const doc = rec.doc ?? {};
    const sev = severityOf(rec);
    const ts = str(doc['@timestamp']) || str(rec.timestamp);
    const host = str(get(doc, 'host.name')) || str(rec.host_id);
    const exe = str(get(doc, 'process.executable')) || str(get(doc, 'process.name'));
    const li = h('li', {
      class: ['alert-row', `sev-${sev}`, this.selected === Number(rec.seq) && 'selected'],
      testid: 'alert-row', data: { seq: rec.seq, severity: sev }, tabindex: 0,
      on: {
        click: () => this.select(rec.seq),
        keydown: (e) => { if (e.key === 'Enter') this.select(rec.seq); },
      },
    },
    h('span', { class: 'sev', testid: 'alert-severity' }, sev),
    h('time', { class: 'time', datetime: ts, title: stamp(ts) }, clock(ts)),
    h('span', { class: 'rule', testid: 'alert-rule' }, str(rec.rule_name) || str(get(doc, 'rule.name')) || str(rec.rule_id)),
    h('span', { class: 'host', testid: 'alert-host' }, host),
    h('span', { class: 'exe', testid: 'alert-exe', title: exe }, exe));
    return li;
  }

  select(seqNo) {
    this.selected = Number(seqNo);
    for (const el of this.list.querySelectorAll('.selected')) el.classList.remove('selected');
    this.list.querySelector(`[data-seq="${this.selected}"]`)?.classList.add('selected');
    this.onSelect(this.selected);
  }
}
