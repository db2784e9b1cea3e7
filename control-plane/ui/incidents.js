// Incidents: alerts grouped by process subtree (GET /v1/incidents), newest
// first, with triage (PATCH /v1/incidents/:id): acknowledge, close with a
// reason, comment. An incident's alerts open in the alert detail.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { ago, stamp, str } from './format.js';

const POLL_MS = 3000;
const REASONS = [['benign', 'Benign'], ['false_positive', 'False positive'], ['true_positive', 'True positive']];

export class IncidentsView {
  constructor({ list, detail, onAlert, onAuthFailed }) {
    Object.assign(this, { list, detail, onAlert, onAuthFailed });
    this.timer = null;
    this.selected = null;
  }

  start() {
    this.stop();
    void this.poll();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  async poll() {
    try {
      const res = await api('/v1/incidents?limit=100');
      this.render(Array.isArray(res?.incidents) ? res.incidents : []);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      fill(this.list, h('li', { class: 'error' }, `incidents: ${err.message}`));
    }
    this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  render(incidents) {
    const now = Date.now();
    fill(this.list, incidents.length ? incidents.map((i) => h('li', {
      class: ['row', `sev-${str(i.severity)}`, this.selected === i.id && 'selected'], testid: 'incident-row',
      data: { id: String(i.id), state: str(i.state), severity: str(i.severity) },
      on: { click: () => void this.show(i.id) },
    },
    h('span', { class: 'sev' }, str(i.severity)),
    h('span', { class: 'title', testid: 'incident-title', title: str(i.title) }, str(i.title)),
    h('span', { class: 'muted small' }, ` ${i.distinct_count} alert${i.distinct_count === 1 ? '' : 's'}${i.alert_count > i.distinct_count ? ` (+${i.alert_count - i.distinct_count} repeats)` : ''} · ${str(i.host_id).slice(0, 12)} · ${ago(i.last, now)}`),
    h('span', { class: 'chip', testid: 'incident-state' }, str(i.state))))
      : h('li', { class: 'muted' }, 'No incidents yet.'));
  }

  async show(id) {
    this.selected = id;
    fill(this.detail, h('p', { class: 'muted' }, `Loading incident ${id}…`));
    let res;
    try {
      res = await api(`/v1/incidents/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      return fill(this.detail, h('p', { class: 'error' }, err.message));
    }
    if (this.selected !== id) return;
    this.renderDetail(res);
  }

  renderDetail(res) {
    const i = res.incident;
    const comment = h('input', { type: 'text', testid: 'incident-comment', placeholder: 'comment (optional)', maxlength: '4000' });
    const result = h('p', { class: 'small', testid: 'incident-result', role: 'status' });
    const triage = async (body) => {
      const text = comment.value.trim();
      try {
        const r = await api(`/v1/incidents/${i.id}`, { method: 'PATCH', body: text ? { ...body, comment: text } : body });
        this.renderDetail({ ...res, incident: r.incident, comments: r.comments });
        void this.poll();
      } catch (err) {
        fill(result, h('span', { class: 'error' }, err.message));
      }
    };
    fill(this.detail,
      h('header', { class: `detail-head sev-${str(i.severity)}` },
        h('span', { class: 'sev' }, str(i.severity)),
        h('h2', { testid: 'incident-detail-title' }, str(i.title)),
        h('div', { class: 'muted small' }, `incident ${i.id} · ${stamp(i.first)} – ${stamp(i.last)} · host ${str(i.host_id)} · `,
          h('span', { testid: 'incident-detail-state' }, `${str(i.state)}${i.close_reason ? ` (${i.close_reason})` : ''}`),
          i.assignee ? ` · ${str(i.assignee)}` : '')),
      h('section', {}, h('h3', {}, 'Triage'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', testid: 'incident-ack', on: { click: () => triage({ state: 'acknowledged' }) } }, 'Acknowledge'),
          REASONS.map(([reason, label]) => h('button', { type: 'button', testid: `incident-close-${reason}`, on: { click: () => triage({ state: 'closed', close_reason: reason }) } }, `Close: ${label}`)),
          comment),
        result),
      h('section', {}, h('h3', {}, `Alerts (${res.alerts.length})`),
        h('ol', { class: 'feed', testid: 'incident-alerts' }, res.alerts.map((a) => h('li', {
          class: ['row', `sev-${str(a.severity)}`], testid: 'incident-alert', data: { seq: String(a.seq), duplicate: String(Boolean(a.duplicate)) },
          on: { click: () => this.onAlert(a.seq) },
        }, h('span', { class: 'sev' }, str(a.severity)), h('span', { class: 'title' }, `${str(a.rule_name)}${a.duplicate ? ' (repeat)' : ''}`),
        h('span', { class: 'muted small' }, ` ${stamp(str(a.timestamp))}`))))),
      h('section', {}, h('h3', {}, `Comments (${res.comments.length})`),
        h('ul', { testid: 'incident-comments' }, res.comments.map((c) => h('li', { class: 'small' }, `${stamp(c.ts)} ${str(c.actor)}: ${str(c.text)}`)))));
  }
}
