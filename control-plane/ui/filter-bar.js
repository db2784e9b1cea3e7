// The filter bar over the incident list and the alert feed: severity
// (several at once, each with its count for the rest of the filter), host
// (by hostname), rule, ATT&CK tag, user, triage state, time range and free
// text. Its values are the URL's query parameters, one to one.
import { h } from './dom.js';
import { knownHosts } from './host-names.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'];
const RANGES = [['', 'any time'], ['15m', 'last 15 min'], ['1h', 'last hour'], ['24h', 'last 24 h'], ['custom', 'custom…']];
const TEXT = [['rule', 'rule id'], ['tag', 'ATT&CK tag, e.g. execution'], ['user', 'user'], ['q', 'search text']];
export const FILTER_KEYS = ['severity', 'host', 'rule', 'tag', 'user', 'q', 'since', 'until', 'state'];
const TYPING_MS = 350;

export class FilterBar {
  /** onChange(values, { replace }) with values: { key: string } for the keys set. */
  constructor({ withState = false, onChange }) {
    this.onChange = onChange;
    this.timer = null;
    this.sev = new Map(SEVERITIES.map((s) => [s, h('input', { type: 'checkbox', value: s, testid: `filter-severity-${s}`, on: { change: () => this.emit() } })]));
    this.counts = new Map(SEVERITIES.map((s) => [s, h('span', { class: 'count', testid: `count-${s}` }, '·')]));
    this.host = h('select', { testid: 'filter-host', 'aria-label': 'host', on: { change: () => this.emit() } });
    this.text = new Map(TEXT.map(([k, ph]) => [k, h('input', { type: 'search', placeholder: ph, testid: `filter-${k}`, 'aria-label': k, on: { input: () => this.typed() } })]));
    // Rule ids seen in the list so far, offered as the rule box's suggestions.
    this.rules = new Set();
    this.ruleList = h('datalist', { id: `rules-${Math.random().toString(36).slice(2)}` });
    this.text.get('rule').setAttribute('list', this.ruleList.id);
    this.range = h('select', { testid: 'filter-range', 'aria-label': 'time range', on: { change: () => this.emit() } },
      RANGES.map(([v, label]) => h('option', { value: v }, label)));
    this.since = h('input', { type: 'text', placeholder: 'since: 2026-01-01T10:00Z', testid: 'filter-since', on: { input: () => this.typed() } });
    this.until = h('input', { type: 'text', placeholder: 'until (optional)', testid: 'filter-until', on: { input: () => this.typed() } });
    this.custom = h('span', { class: 'custom-range', hidden: true }, this.since, this.until);
    this.state = withState && h('select', { testid: 'filter-state', 'aria-label': 'triage state', on: { change: () => this.emit() } },
      [['', 'any state'], ['open,acknowledged', 'open or acknowledged'], ['open', 'open'], ['acknowledged', 'acknowledged'], ['closed', 'closed']]
        .map(([v, label]) => h('option', { value: v }, label)));
    this.total = h('span', { class: 'muted small', testid: 'filter-total' });
    this.root = h('form', { class: 'filter-bar', testid: 'filter-bar', on: { submit: (e) => e.preventDefault() } },
      h('div', { class: 'sev-filter' }, SEVERITIES.map((s) => h('label', { class: ['sev-toggle', `sev-${s}`] }, this.sev.get(s), h('span', { class: 'sev' }, s), this.counts.get(s)))),
      h('div', { class: 'filter-fields' }, this.host, this.state, this.range, this.custom, [...this.text.values()], this.total), this.ruleList);
  }

  /** Fills the controls from URL parameters (no event). */
  set(params) {
    const sev = new Set((params.get('severity') ?? '').split(',').filter(Boolean));
    for (const [s, box] of this.sev) box.checked = sev.has(s);
    this.fillHosts(params.get('host') ?? '');
    for (const [k, input] of this.text) if (document.activeElement !== input) input.value = params.get(k) ?? '';
    if (this.state) this.state.value = params.get('state') ?? '';
    const since = params.get('since') ?? '';
    const relative = RANGES.some(([v]) => v && v === since) && !params.get('until');
    this.range.value = !since ? '' : relative ? since : 'custom';
    if (document.activeElement !== this.since) this.since.value = relative ? '' : since;
    if (document.activeElement !== this.until) this.until.value = params.get('until') ?? '';
    this.custom.hidden = this.range.value !== 'custom';
  }

  fillHosts(selected = this.host.value) {
    const hosts = knownHosts();
    if (selected && !hosts.some((x) => x.id === selected)) hosts.push({ id: selected, name: selected.slice(0, 12) });
    this.host.replaceChildren(h('option', { value: '' }, 'all hosts'),
      ...hosts.map((x) => h('option', { value: x.id, title: x.id }, x.name)));
    this.host.value = selected;
  }

  addRules(ids) {
    const before = this.rules.size;
    for (const id of ids) if (id) this.rules.add(id);
    if (this.rules.size !== before) this.ruleList.replaceChildren(...[...this.rules].sort().map((id) => h('option', { value: id })));
  }

  values() {
    const v = {};
    const sev = SEVERITIES.filter((s) => this.sev.get(s).checked);
    if (sev.length) v.severity = sev.join(',');
    if (this.host.value) v.host = this.host.value;
    for (const [k, input] of this.text) if (input.value.trim()) v[k] = input.value.trim();
    if (this.state?.value) v.state = this.state.value;
    this.custom.hidden = this.range.value !== 'custom';
    if (this.range.value === 'custom') {
      if (this.since.value.trim()) v.since = this.since.value.trim();
      if (this.until.value.trim()) v.until = this.until.value.trim();
    } else if (this.range.value) {
      v.since = this.range.value;
    }
    return v;
  }

  emit(replace = false) {
    clearTimeout(this.timer);
    this.onChange(this.values(), { replace });
  }

  typed() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emit(true), TYPING_MS);
  }

  showCounts(res) {
    for (const [s, el] of this.counts) el.textContent = String(res?.counts?.[s] ?? 0);
    const picked = SEVERITIES.filter((s) => this.sev.get(s).checked);
    const shown = picked.length ? picked.reduce((n, s) => n + Number(res?.counts?.[s] ?? 0), 0) : Number(res?.total ?? 0);
    this.total.textContent = `${shown} match${shown === 1 ? '' : 'es'}`;
  }
}

/** The filter's query string for the REST API (only the filter keys). */
export function filterQuery(params) {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params.get(k)) q.set(k, params.get(k));
  return q;
}
