// One incident (GET /v1/incidents/:id): its alerts (each with its own URL),
// a link into the investigation view, comments and triage (PATCH
// /v1/incidents/:id): acknowledge, and close with a reason; closing as
// benign or false positive offers an exception first.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { createExceptions, exceptionOffer } from './exception-offer.js';
import { stamp, str } from './format.js';
import { hostName } from './host-names.js';
import { hrefFor } from './router.js';

const REASONS = [['benign', 'Benign'], ['false_positive', 'False positive'], ['true_positive', 'True positive']];

export class IncidentDetail {
  constructor({ root, onChanged, onAuthFailed }) {
    Object.assign(this, { root, onChanged, onAuthFailed });
    this.current = null;
  }

  clear() {
    this.current = null;
    fill(this.root, h('p', { class: 'muted' }, 'Select an incident: its alerts, the process tree, and triage.'));
  }

  /** Re-reads the shown incident when a poll saw it change (a new alert joined, someone else triaged it). */
  refresh(incident) {
    const sig = `${incident.alert_count}|${incident.state}|${incident.close_reason}|${incident.assignee}`;
    if (this.current !== incident.id || this.sig === undefined || sig === this.sig) return;
    // Never under an analyst's open form or half-typed comment.
    if (this.root.querySelector('[data-testid="exception-offer"]') || this.root.querySelector('[data-testid="incident-comment"]')?.value) return;
    this.current = null;
    void this.show(incident.id);
  }

  async show(id) {
    if (this.current === id) return;
    this.current = id;
    fill(this.root, h('p', { class: 'muted' }, `Loading incident ${id}…`));
    let res;
    try {
      res = await api(`/v1/incidents/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      return fill(this.root, h('p', { class: 'error', testid: 'incident-error' }, err.message));
    }
    if (this.current !== id) return;
    this.render(res);
  }

  render(res) {
    const i = res.incident;
    this.sig = `${i.alert_count}|${i.state}|${i.close_reason}|${i.assignee}`;
    const comment = h('input', { type: 'text', testid: 'incident-comment', placeholder: 'comment (optional)', maxlength: '4000' });
    const result = h('div', { class: 'small', testid: 'incident-result', role: 'status' });
    const patch = async (body) => {
      const text = comment.value.trim();
      const r = await api(`/v1/incidents/${i.id}`, { method: 'PATCH', body: text ? { ...body, comment: text } : body });
      this.render({ ...res, incident: r.incident, comments: r.comments });
      this.onChanged();
    };
    const triage = (body) => patch(body).catch((err) => fill(result, h('span', { class: 'error' }, err.message)));
    const close = (reason) => {
      if (reason === 'true_positive') return void triage({ state: 'closed', close_reason: reason });
      fill(result, exceptionOffer({
        incident: i, alerts: res.alerts, reason, onCancel: () => fill(result),
        onConfirm: async (bodies) => {
          const made = await createExceptions(bodies);
          await patch({ state: 'closed', close_reason: reason });
          if (made.length) fill(this.root.querySelector('[data-testid="incident-result"]'), h('span', { class: 'ok', testid: 'exceptions-created' },
            `${made.length} exception${made.length === 1 ? '' : 's'} added: `, made.map((e) => `#${str(e?.id)} ${str(e?.rule)}`).join(', ')));
        },
      }));
    };
    const first = res.alerts.find((a) => !a.duplicate) ?? res.alerts[0];
    fill(this.root,
      h('header', { class: `detail-head sev-${str(i.severity)}` },
        h('span', { class: 'sev' }, str(i.severity)),
        h('h2', { testid: 'incident-detail-title' }, str(i.title)),
        h('div', { class: 'muted small' }, `incident ${i.id} · ${stamp(i.first)} – ${stamp(i.last)} · `,
          h('span', { title: str(i.host_id) }, hostName(str(i.host_id))), ' · ',
          h('span', { testid: 'incident-detail-state' }, `${str(i.state)}${i.close_reason ? ` (${i.close_reason})` : ''}`),
          i.assignee ? ` · ${str(i.assignee)}` : '')),
      first && h('p', {}, h('a', { class: 'button', href: hrefFor('investigate', { alert: first.seq, incident: i.id }), testid: 'incident-investigate' },
        'Investigate the process tree →')),
      h('section', {}, h('h3', {}, 'Triage'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', testid: 'incident-ack', on: { click: () => triage({ state: 'acknowledged' }) } }, 'Acknowledge'),
          REASONS.map(([reason, label]) => h('button', { type: 'button', testid: `incident-close-${reason}`, on: { click: () => close(reason) } }, `Close: ${label}`)),
          comment),
        result),
      h('section', {}, h('h3', {}, `Alerts (${res.alerts.length})`),
        h('ol', { class: 'feed', testid: 'incident-alerts' }, res.alerts.map((a) => h('li', {
          class: ['row', `sev-${str(a.severity)}`], testid: 'incident-alert', data: { seq: String(a.seq), duplicate: String(Boolean(a.duplicate)), rule: str(a.rule_id) },
          on: { click: (e) => { if (e.target.tagName !== 'A') location.hash = hrefFor('alerts', { alert: a.seq }); } },
        }, h('span', { class: 'sev' }, str(a.severity)),
        h('a', { class: 'title', href: hrefFor('alerts', { alert: a.seq }) }, `${str(a.rule_name)}${a.duplicate ? ' (repeat)' : ''}`),
        h('span', { class: 'muted small' }, ` ${stamp(str(a.timestamp))}`))))),
      h('section', {}, h('h3', {}, `Comments (${res.comments.length})`),
        h('ul', { testid: 'incident-comments' }, res.comments.map((c) => h('li', { class: 'small' }, `${stamp(c.ts)} ${str(c.actor)}: ${str(c.text)}`)))));
  }
}
