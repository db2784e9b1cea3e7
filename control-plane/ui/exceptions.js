// Exceptions (GET /v1/exceptions): what each rule no longer alerts on, who
// added it and why, with a Remove button (DELETE /v1/exceptions/:id,
// responder). The alert detail shows the exceptions of its rule.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { stamp, str } from './format.js';
import { hostName } from './host-names.js';
import { hrefFor } from './router.js';

async function listExceptions() {
  const res = await api('/v1/exceptions');
  return Array.isArray(res?.exceptions) ? res.exceptions : [];
}

const matchText = (m) => Object.entries(m ?? {}).map(([k, v]) => `${k} ∈ {${(Array.isArray(v) ? v : [v]).map(str).join(', ')}}`).join(' and ');

function table(rows, onRemove) {
  if (!rows.length) return h('p', { class: 'muted', testid: 'exceptions-empty' }, 'No exceptions.');
  return h('table', { class: 'exceptions', testid: 'exceptions-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Rule'), h('th', {}, 'Does not alert when'), h('th', {}, 'Host'), h('th', {}, 'Why'), h('th', {}, 'Added'), h('th', {}))),
    h('tbody', {}, rows.map((e) => h('tr', { testid: 'exception-row', data: { id: str(e.id), rule: str(e.rule) } },
      h('td', { class: 'mono' }, str(e.rule)),
      h('td', { class: 'mono small' }, matchText(e.match)),
      h('td', { title: str(e.host) }, e.host ? hostName(str(e.host)) : 'all hosts'),
      h('td', { class: 'small' }, str(e.comment), e.incident_id ? [' · ', h('a', { href: hrefFor('incidents', { incident: e.incident_id }) }, `incident ${e.incident_id}`)] : ''),
      h('td', { class: 'small' }, `${stamp(str(e.created_at))} ${str(e.created_by)}`),
      h('td', {}, onRemove && h('button', { type: 'button', testid: 'exception-remove', on: { click: () => onRemove(e) } }, 'Remove'))))));
}

export class ExceptionsView {
  constructor({ root, onAuthFailed }) {
    Object.assign(this, { root, onAuthFailed });
  }

  async show() {
    let rows;
    try {
      rows = await listExceptions();
    } catch (err) {
      if (err.status === 401) return this.onAuthFailed(err.message);
      return fill(this.root, h('p', { class: 'error', testid: 'exceptions-error' }, `exceptions: ${err.message}`));
    }
    const status = h('p', { class: 'small', role: 'status' });
    const remove = async (e) => {
      if (!window.confirm(`Remove the exception for ${e.rule}? The rule alerts on ${matchText(e.match)} again.`)) return;
      try {
        await api(`/v1/exceptions/${encodeURIComponent(e.id)}`, { method: 'DELETE' });
        void this.show();
      } catch (err) {
        status.textContent = err.message;
      }
    };
    fill(this.root, h('h2', {}, `Exceptions (${rows.length})`), status, table(rows.sort((a, b) => str(a.rule).localeCompare(str(b.rule))), remove));
  }
}

/** A section for the alert detail: the exceptions of one rule (filled when they arrive). */
export function ruleExceptions(ruleId) {
  const body = h('div', { testid: 'rule-exceptions' }, h('p', { class: 'muted small' }, 'Loading…'));
  listExceptions().then((all) => fill(body, table(all.filter((e) => e.rule === ruleId), null)),
    (err) => fill(body, h('p', { class: 'muted small' }, `exceptions unavailable: ${err.message}`)));
  return h('section', {}, h('h3', {}, 'Exceptions of this rule'), body);
}
