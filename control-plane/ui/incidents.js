// Incidents: alerts grouped by process subtree (GET /v1/incidents) for the
// URL's filter, newest first, re-read every few seconds; "Older" pages back
// with ?before=<id>; counts by severity from /v1/incidents/counts.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { filterQuery } from './filter-bar.js';
import { ago, str } from './format.js';
import { hostName } from './host-names.js';

const POLL_MS = 3000;
const PAGE = 100;

export class IncidentsView {
  /** onSelectedChanged(incident): the selected incident as the latest poll saw it. */
  constructor({ list, more, bar, onSelect, onSelectedChanged, onAuthFailed }) {
    Object.assign(this, { list, more, bar, onSelect, onSelectedChanged, onAuthFailed });
    this.timer = null;
    this.selected = null;
    this.query = null;
    this.rows = new Map();
    this.before = null;
    more.addEventListener('click', () => void this.older());
  }

  start() {
    this.stop();
    void this.poll();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  setFilter(params) {
    const q = filterQuery(params).toString();
    if (q === this.query) return;
    this.query = q;
    this.rows.clear();
    this.before = null;
    fill(this.list, h('li', { class: 'muted' }, 'Loading…'));
    this.start();
  }

  async poll() {
    clearTimeout(this.timer);
    if (this.query !== null) await this.load();
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  async load(before) {
    const asked = this.query;
    const q = new URLSearchParams(asked);
    q.set('limit', String(PAGE));
    if (before) q.set('before', String(before));
    try {
      const [page, counts] = await Promise.all([api(`/v1/incidents?${q}`), before ? null : api(`/v1/incidents/counts?${filterQuery(q)}`)]);
      if (asked !== this.query) return;
      const got = page.incidents ?? [];
      if (!before) {
        // The first page is the truth for its id range: an incident that left the filter (closed, say) leaves the list.
        const bound = got.length < PAGE ? 0 : Math.min(...got.map((i) => i.id));
        const ids = new Set(got.map((i) => i.id));
        for (const id of this.rows.keys()) if (id >= bound && !ids.has(id)) this.rows.delete(id);
      }
      for (const i of got) this.rows.set(i.id, i);
      if (before || this.before === null) this.before = page.next_before ?? 0;
      if (counts) this.bar.showCounts(counts);
      this.render();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      fill(this.list, h('li', { class: 'error' }, `incidents: ${err.message}`));
    }
  }

  older() {
    if (this.before) return this.load(this.before);
  }

  select(id) {
    this.selected = id;
    for (const el of this.list.querySelectorAll('.row')) el.classList.toggle('selected', Number(el.dataset.id) === id);
  }

  render() {
    const now = Date.now();
    const incidents = [...this.rows.values()].sort((a, b) => b.id - a.id);
    this.bar.addRules(incidents.flatMap((i) => i.rules ?? []));
    const shown = incidents.find((i) => i.id === this.selected);
    if (shown) this.onSelectedChanged(shown);
    this.more.hidden = !this.before;
    fill(this.list, incidents.length ? incidents.map((i) => h('li', {
      class: ['row', `sev-${str(i.severity)}`, this.selected === i.id && 'selected'], testid: 'incident-row', tabindex: 0,
      data: { id: String(i.id), state: str(i.state), severity: str(i.severity), host: str(i.host_id) },
      on: { click: () => this.onSelect(i.id), keydown: (e) => { if (e.key === 'Enter') this.onSelect(i.id); } },
    },
    h('span', { class: 'sev' }, str(i.severity)),
    h('span', { class: 'title', testid: 'incident-title' }, str(i.title)),
    h('span', { class: 'chip', testid: 'incident-state' }, str(i.state)),
    h('span', { class: 'muted small meta' },
      `${i.distinct_count} alert${i.distinct_count === 1 ? '' : 's'}${i.alert_count > i.distinct_count ? ` (+${i.alert_count - i.distinct_count} repeats)` : ''} · `,
      h('span', { testid: 'incident-host', title: str(i.host_id) }, hostName(str(i.host_id))), ` · ${ago(i.last, now)}`)))
      : h('li', { class: 'muted' }, this.query ? 'No incident matches this filter.' : 'No incidents yet.'));
  }
}
