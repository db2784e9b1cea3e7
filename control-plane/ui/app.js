// Dashboard entry: asks for a token (kept in sessionStorage for this tab),
// then starts the live feed, the hosts poller, detail and search views.
import { api, session, setUnauthorizedHandler } from './api.js';
import { $, fill, h } from './dom.js';
import { AlertDetail } from './detail.js';
import { AlertFeed } from './feed.js';
import { HostsView } from './hosts.js';
import { IncidentsView } from './incidents.js';
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

function start() {
  loginView.hidden = true;
  mainView.hidden = false;
  $('#logout').hidden = false;
  const onAuthFailed = (message) => signOut(message);
  const detail = new AlertDetail({ root: $('[data-testid="alert-detail"]'), onAuthFailed });
  const feed = new AlertFeed({
    list: $('[data-testid="alert-feed"]'), status: $('[data-testid="feed-status"]'), count: $('[data-testid="alert-count"]'),
    onSelect: (seq) => void detail.show(seq), onAuthFailed,
  });
  const hostList = $('#host-ids');
  const hosts = new HostsView({
    body: $('[data-testid="hosts-body"]'), summary: $('[data-testid="host-summary"]'), error: $('#hosts-error'),
    onHosts: (agents) => fill(hostList, agents.map((a) => h('option', { value: a.host_id }, a.hostname))),
    onAuthFailed,
  });
  const incidents = new IncidentsView({
    list: $('[data-testid="incident-list"]'), detail: $('[data-testid="incident-detail"]'), onAuthFailed,
    onAlert: (seq) => { showTab('alerts'); void detail.show(seq); },
  });
  running = { feed, hosts, incidents };
  void feed.start();
  hosts.start();
  incidents.start();
}

setUnauthorizedHandler((err) => signOut(err.message));
new SearchView({
  form: $('[data-testid="search-form"]'), results: $('[data-testid="search-results"]'),
  status: $('[data-testid="search-status"]'), onAuthFailed: (m) => signOut(m),
});
for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));
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
showTab('incidents');
if (session.get()) start();
else signOut();
