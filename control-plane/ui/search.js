// Event search: POST /v1/query fanned out to the chosen hosts (or all),
// rendering the merged rows and every host that did not answer.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { str } from './format.js';
import { eventsTable } from './events-table.js';

const TEXT_FILTERS = ['since', 'exe', 'path', 'dst', 'action'];

/** The form's values -> a /v1/query body; throws Error with a user-facing message. */
export function queryBody(form) {
  const v = (name) => str(form.elements[name]?.value).trim();
  const filters = {};
  for (const k of TEXT_FILTERS) if (v(k)) filters[k] = v(k);
  if (v('pid')) {
    if (!/^\d{1,10}$/.test(v('pid'))) throw new Error('pid must be a whole number');
    filters.pid = Number(v('pid'));
  }
  const hosts = v('hosts').split(/[\s,]+/).filter(Boolean);
  const body = { filters, limit: 500 };
  if (hosts.length) body.hosts = [...new Set(hosts)];
  else body.all = true;
  return body;
}

export class SearchView {
  constructor({ form, results, status, onAuthFailed }) {
    Object.assign(this, { form, results, status, onAuthFailed });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
  }

  async run() {
    let body;
    try {
      body = queryBody(this.form);
    } catch (err) {
      return this.say(err.message, true);
    }
    const button = this.form.querySelector('button[type=submit]');
    button.disabled = true;
    this.say('Searching…');
    const started = performance.now();
    try {
      const res = await api('/v1/query', { method: 'POST', body });
      this.render(res, Math.round(performance.now() - started));
    } catch (err) {
      if (err.status === 401) return this.onAuthFailed(err.message);
      this.say(err.status === 403 ? `${err.message} (searching needs a responder token)` : err.message, true);
    } finally {
      button.disabled = false;
    }
  }

  say(text, isError = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', isError);
    if (isError) fill(this.results);
  }

  render(res, ms) {
    const rows = Array.isArray(res?.rows) ? res.rows : [];
    const hosts = res?.hosts ?? {};
    this.say(`${rows.length} row${rows.length === 1 ? '' : 's'}${res?.truncated ? ' (truncated)' : ''} from ${(hosts.responded ?? []).length} host(s) in ${ms} ms`);
    const problems = [
      ['timed out', hosts.timed_out, 'hosts-timed-out'],
      ['offline', hosts.offline, 'hosts-offline'],
      ['unknown', hosts.unknown, 'hosts-unknown'],
      ['failed', (hosts.failed ?? []).map((f) => `${str(f.host_id)}: ${str(f.error)}`), 'hosts-failed'],
    ].filter(([, l]) => Array.isArray(l) && l.length);
    fill(this.results,
      problems.length > 0 && h('ul', { class: 'host-problems', testid: 'search-host-problems' },
        problems.map(([label, l, testid]) => h('li', { testid }, h('strong', {}, `${label}: `), l.map(str).join(', ')))),
      eventsTable(rows.map((r) => ({ event: r.event, host: r.host_id })),
        { testid: 'search-rows', empty: 'No matching events.', withHost: true }));
  }
}
