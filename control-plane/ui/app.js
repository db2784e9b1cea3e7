// Dashboard entry: asks for a token (kept in sessionStorage for this tab),
// then starts the live feed, the incident list and the hosts poller. What
// is shown follows the URL hash (router.js): view, filters, the selected
// incident or alert, the investigated process; back/forward replay it.
import { api, session, setUnauthorizedHandler } from './api.js';
import { $, fill, h } from './dom.js';
import { AlertDetail } from './detail.js';
import { ExceptionsView } from './exceptions.js';
import { AlertFeed } from './feed.js';
import { FilterBar } from './filter-bar.js';
import { setHosts } from './host-names.js';
import { HostsView } from './hosts.js';
import { IncidentDetail } from './incident-detail.js';
import { IncidentsView } from './incidents.js';
import { InvestigationView } from './investigation.js';
import { navigate, onRoute, paramsObject, parseHash } from './router.js';
import { SearchView } from './search.js';

const loginView = $('#login');
const mainView = $('#main');
const loginForm = $('#login-form');
const loginError = $('[data-testid="login-error"]');

let running = null;

function signOut(message = '') {
  running?.feed.stop();
  running?.hosts.stop();
  running?.incidents.stop();
  running = null;
  session.clear();
  mainView.hidden = true;
  loginView.hidden = false;
  $('#logout').hidden = true;
  loginError.textContent = message;
  loginForm.elements.token.value = '';
  loginForm.elements.token.focus();
}

function showTab(name) {
  for (const b of document.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${name}`;
}

/** Selecting keeps the view's filter: a new history entry with one parameter changed. */
const withParam = (view, key, value) => navigate(view, { ...paramsObject(parseHash().params), [key]: value });
/** A filter change keeps the selection and replaces every filter key. */
const withFilter = (view, values, opts) => {
  const { params } = parseHash();
  const keep = {};
  for (const k of ['incident', 'alert']) if (params.get(k)) keep[k] = params.get(k);
  navigate(view, { ...values, ...keep }, opts);
};

function start() {
  loginView.hidden = true;
  mainView.hidden = false;
  $('#logout').hidden = false;
  const onAuthFailed = (message) => signOut(message);
  const alertBar = new FilterBar({ onChange: (v, o) => withFilter('alerts', v, o) });
  const incidentBar = new FilterBar({ withState: true, onChange: (v, o) => withFilter('incidents', v, o) });
  fill($('[data-slot="alert-filters"]'), alertBar.root);
  fill($('[data-slot="incident-filters"]'), incidentBar.root);
  const detail = new AlertDetail({ root: $('[data-testid="alert-detail"]'), onAuthFailed });
  const feed = new AlertFeed({
    list: $('[data-testid="alert-feed"]'), status: $('[data-testid="feed-status"]'), count: $('[data-testid="alert-count"]'),
    more: $('[data-testid="alerts-older"]'), bar: alertBar, onSelect: (seq) => withParam('alerts', 'alert', seq), onAuthFailed,
  });
  const hostList = $('#host-ids');
  const hosts = new HostsView({
    body: $('[data-testid="hosts-body"]'), summary: $('[data-testid="host-summary"]'), error: $('#hosts-error'),
    onHosts: (agents) => {
      setHosts(agents);
      alertBar.fillHosts();
      incidentBar.fillHosts();
      fill(hostList, agents.map((a) => h('option', { value: a.host_id }, a.hostname)));
    },
    onAuthFailed,
  });
  const incidentDetail = new IncidentDetail({ root: $('[data-testid="incident-detail"]'), onChanged: () => void incidents.poll(), onAuthFailed });
  const incidents = new IncidentsView({
    list: $('[data-testid="incident-list"]'), more: $('[data-testid="incidents-older"]'), bar: incidentBar,
    onSelect: (id) => withParam('incidents', 'incident', id), onSelectedChanged: (i) => incidentDetail.refresh(i), onAuthFailed,
  });
  const investigation = new InvestigationView({ root: $('[data-testid="investigation"]'), onAuthFailed });
  const exceptions = new ExceptionsView({ root: $('[data-testid="exceptions"]'), onAuthFailed });
  running = { feed, hosts, incidents };

  const route = ({ view, params }) => {
    if (!running) return;
    showTab(view);
    if (view === 'incidents') {
      incidentBar.set(params);
      incidents.setFilter(params);
      const id = Number(params.get('incident'));
      incidents.select(id || null);
      if (id) void incidentDetail.show(id);
      else incidentDetail.clear();
    } else if (view === 'alerts') {
      alertBar.set(params);
      feed.setFilter(params);
      const seq = Number(params.get('alert'));
      feed.select(seq || null);
      if (seq) void detail.show(seq);
      else detail.clear();
    } else if (view === 'investigate') {
      void investigation.show(params);
    } else if (view === 'exceptions') {
      void exceptions.show();
    }
  };
  onRoute(route);
  void feed.start();
  hosts.start();
  // Both lists load once so switching tabs is instant; the route then applies its own filter.
  feed.setFilter(new URLSearchParams());
  incidents.setFilter(new URLSearchParams());
  route(parseHash());
}

setUnauthorizedHandler((err) => signOut(err.message));
new SearchView({
  form: $('[data-testid="search-form"]'), results: $('[data-testid="search-results"]'),
  status: $('[data-testid="search-status"]'), onAuthFailed: (m) => signOut(m),
});
// Tabs are links: each is a history entry, and a tab keeps nothing of another's filter.
for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => navigate(b.dataset.tab));
$('#logout').addEventListener('click', () => signOut());

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = loginForm.elements.token.value.trim();
  if (!token) return void (loginError.textContent = 'Paste an API token (create one with `vigil token create --role viewer`).');
  try {
    await api('/v1/agents', { token }); // proves the token before we keep it
  } catch (err) {
    loginError.textContent = err.message;
    return;
  }
  session.set(token);
  loginError.textContent = '';
  start();
});

// Incidents first: one behaviour is one thing to look at; its alerts are one click away.
showTab(parseHash().view);
if (session.get()) start();
else signOut();
