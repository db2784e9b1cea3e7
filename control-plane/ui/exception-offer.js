// Closing an incident as benign or false positive offers an exception so
// the same behaviour stops alerting: one POST /v1/exceptions per rule of
// the incident, matching the executables of its alerting processes
// (prefilled, editable), optionally only on this host.
import { api } from './api.js';
import { h } from './dom.js';
import { get, str } from './format.js';

const LABELS = { benign: 'benign', false_positive: 'false positive' };

/** The form; onConfirm({ exceptions: [body...] | [] }) runs the close. */
export function exceptionOffer({ incident, alerts, reason, onConfirm, onCancel }) {
  const rules = [...new Set(alerts.map((a) => str(a.rule_id)).filter(Boolean))];
  const exes = [...new Set(alerts.map((a) => str(get(a.doc, 'process.executable'))).filter(Boolean))];
  const add = h('input', { type: 'checkbox', checked: true, testid: 'exception-add' });
  const ruleBoxes = rules.map((r) => h('input', { type: 'checkbox', checked: true, value: r, testid: 'exception-rule' }));
  const exeInput = h('textarea', { rows: Math.max(1, exes.length), testid: 'exception-executables', 'aria-label': 'executables, one a line' }, exes.join('\n'));
  const hostOnly = h('input', { type: 'checkbox', checked: true, testid: 'exception-host-only' });
  const comment = h('input', { type: 'text', maxlength: '1000', testid: 'exception-comment', value: `closed as ${LABELS[reason]} (incident ${incident.id})` });
  const error = h('p', { class: 'error small', testid: 'exception-error', role: 'alert' });
  const fields = h('fieldset', { class: 'exception-fields' },
    h('legend', {}, 'Exception: stop these rules from alerting on these executables'),
    h('div', { class: 'small' }, 'Rules: ', ruleBoxes.map((b) => h('label', { class: 'inline mono' }, b, b.value))),
    h('label', { class: 'small' }, 'Executables (process.executable, one a line)', exeInput),
    h('label', { class: 'inline small' }, hostOnly, ` only on this host (${str(incident.host_id).slice(0, 12)})`),
    h('label', { class: 'small' }, 'Comment', comment));
  add.addEventListener('change', () => { fields.disabled = !add.checked; });

  const bodies = () => {
    if (!add.checked) return [];
    const exe = exeInput.value.split('\n').map((s) => s.trim()).filter(Boolean);
    const chosen = ruleBoxes.filter((b) => b.checked).map((b) => b.value);
    if (!exe.length) throw new Error('an exception needs at least one executable (or untick "Add an exception")');
    if (!chosen.length) throw new Error('pick at least one rule (or untick "Add an exception")');
    return chosen.map((rule) => ({
      rule, match: { 'process.executable': exe }, comment: comment.value.trim() || undefined,
      host: hostOnly.checked ? incident.host_id : undefined, incident_id: incident.id,
    }));
  };
  const confirm = h('button', { type: 'button', class: 'primary', testid: 'incident-close-confirm', on: { click: async () => {
    error.textContent = '';
    let list;
    try {
      list = bodies();
    } catch (err) {
      error.textContent = err.message;
      return;
    }
    confirm.disabled = true;
    try {
      await onConfirm(list);
    } catch (err) {
      error.textContent = err.message;
    } finally {
      confirm.disabled = false;
    }
  } } }, `Close as ${LABELS[reason]}`);
  return h('div', { class: 'exception-offer', testid: 'exception-offer' },
    h('label', { class: 'inline' }, add, ' Add an exception'), fields,
    h('div', { class: 'actions' }, confirm, h('button', { type: 'button', testid: 'incident-close-cancel', on: { click: onCancel } }, 'Cancel')),
    error);
}

/** POSTs each exception; returns the created ones (throws on the first refusal, naming the rule). */
export async function createExceptions(bodies) {
  const made = [];
  for (const body of bodies) {
    try {
      made.push((await api('/v1/exceptions', { method: 'POST', body })).exception);
    } catch (err) {
      throw new Error(`exception for rule ${body.rule} not created: ${err.message}${made.length ? ` (${made.length} created before it)` : ''}`);
    }
  }
  return made;
}
