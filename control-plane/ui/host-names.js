// Hostnames by host id, kept fresh by the hosts poller: lists show the
// hostname, never the 32-character id (which stays in the tooltip).
const names = new Map();

export function setHosts(agents) {
  for (const a of agents) if (a?.host_id) names.set(a.host_id, a.hostname || a.host_id);
}

export const hostName = (id) => names.get(id) || (id ? String(id).slice(0, 12) : '');
export const knownHosts = () => [...names.entries()].map(([id, name]) => ({ id, name }));
