// A table of ECS events (triggering, related, or query rows), one line
// each, with the full document a click away.
import { h } from './dom.js';
import { eventRow, str } from './format.js';
import { hostName } from './host-names.js';

/**
 * rows: [{ event, host? }]; withHost adds a Host column (query results,
 * shown by hostname). `process` fills pid and executable for events that
 * do not carry them (an alert's related activity is its own process's).
 */
export function eventsTable(rows, { testid, empty, withHost = false, process = null }) {
  if (!rows.length) return h('p', { class: 'muted', testid }, empty);
  return h('table', { class: 'events', testid },
    h('thead', {}, h('tr', {},
      withHost && h('th', {}, 'Host'),
      h('th', {}, 'Time'), h('th', {}, 'Action'), h('th', {}, 'PID'), h('th', {}, 'Executable'),
      h('th', {}, 'Detail'), h('th', {}, 'Outcome'))),
    h('tbody', {}, rows.map(({ event, host }) => {
      const r = eventRow(event);
      if (process) {
        r.pid ||= str(process.pid);
        r.exe ||= str(process.executable) || str(process.name);
      }
      return h('tr', { testid: 'event-row', data: { action: r.action } },
        withHost && h('td', { class: 'small', title: str(host) }, hostName(str(host))),
        h('td', { class: 'nowrap small' }, r.time),
        h('td', {}, h('span', { class: 'chip' }, r.action)),
        h('td', { class: 'num mono' }, r.pid),
        h('td', { class: 'mono', title: r.exe }, r.exe),
        h('td', { class: 'mono detail-cell' },
          h('details', {}, h('summary', { title: r.detail }, r.detail || '(details)'),
            h('pre', { class: 'json' }, JSON.stringify(event, null, 2)))),
        h('td', { class: 'small' }, r.outcome));
    })));
}
