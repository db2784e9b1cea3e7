// One sentence per scored observation, written for the analyst who reads the
// alert: what was new, and how much the host had seen to know it.
import type { ObservationEvidence as Evidence } from './evidence';
import { HOST, type Observation } from './observations';

const nf = new Intl.NumberFormat('en-US');

export function span(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (h < 48) return `${Math.round(h)} h`;
  return `${Math.round(h / 24)} days`;
}

/** The first time an exe did a kind of thing at all. */
function firstDid(o: Observation): string {
  switch (o.profile) {
    case 'net-dest': return `${o.context} connected to ${o.value}, its first connection ever`;
    case 'net-first': return `${o.context} had never connected outside loopback before`;
    case 'listen': return `${o.context} listened on ${o.value}, its first listening socket ever`;
    case 'file-read': return `${o.context} read ${o.value}, its first sensitive read ever`;
    case 'file-write': return `${o.context} wrote into ${o.value}, its first file write ever`;
    case 'privilege': return `${o.context} used ${o.value}, its first privileged call ever`;
    default: return `${o.context}: ${o.value} for the first time`;
  }
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1) || p;

/** `n` decayed observations, rounded for reading. */
const count = (n: number): string => nf.format(Math.round(n));

/** A host-wide profile: what no program on this host did before. */
function hostWide(o: Observation, e: Evidence, over: string): string {
  const first = e.count < 0.5;
  const rarely = `only ~${count(e.count)} time(s) before on this host`;
  switch (o.profile) {
    case 'file-write':
      return first ? `first write into ${o.value} on this host (${count(e.total)} writes into ${nf.format(e.distinct)} directories by all programs${over})` : `${o.value} written into ${rarely}`;
    case 'file-read':
      return first ? `first read of ${o.value} on this host (${count(e.total)} sensitive reads by all programs${over})` : `${o.value} read ${rarely}`;
    default:
      return first ? `first connection to ${o.value} on this host (${count(e.total)} connections to ${nf.format(e.distinct)} destinations by all programs${over})` : `connections to ${o.value} ${rarely}`;
  }
}

export function explain(o: Observation, e: Evidence, at: number): string {
  const over = e.since !== undefined ? ` over ${span(at - e.since)}` : '';
  if (o.context === HOST && o.profile !== 'exe') return hostWide(o, e, over);
  if (e.fromRuns) return `${firstDid(o)} (${base(o.context)} ran ${count(e.total)} times${over} without it)`;
  const first = e.count < 0.5;
  const rarely = `only ~${count(e.count)} time(s) before`;
  switch (o.profile) {
    case 'exe':
      return first
        ? `first time on this host that ${o.value} ran (${count(e.total)} execs of ${nf.format(e.distinct)} programs seen${over})`
        : `${o.value} ran ${rarely} on this host (${count(e.total)} execs seen${over})`;
    case 'lineage':
      return first
        ? `first time on this host that ${o.context} started ${o.value} (${base(o.context)} seen starting ${count(e.total)} processes${over})`
        : `${o.context} started ${o.value} ${rarely} (of ${count(e.total)} processes it started${over})`;
    case 'user-exe':
      return first
        ? `first time user ${o.context} ran ${o.value} (${count(e.total)} execs by ${o.context}${over})`
        : `user ${o.context} ran ${o.value} ${rarely}`;
    case 'service-exe':
      return first
        ? `first time ${o.value} ran under ${o.context} (${count(e.total)} execs there${over})`
        : `${o.value} ran under ${o.context} ${rarely}`;
    case 'cmdline':
      return first
        ? `${o.context} ran with a command line never seen before: "${o.value}" (${count(e.total)} runs in ${nf.format(e.distinct)} shapes${over})`
        : `${o.context} ran "${o.value}" ${rarely}`;
    case 'net-dest':
      return first
        ? `${o.context} connected to ${o.value} for the first time (${count(e.total)} connections to ${nf.format(e.distinct)} destinations before${over})`
        : `${o.context} connected to ${o.value} ${rarely}`;
    case 'net-first':
      return first
        ? `${o.context} had never connected outside loopback before (${count(e.total)} connections${over})`
        : `${o.context} connects outside loopback rarely (${rarely})`;
    case 'listen':
      return first ? `${o.context} listened on ${o.value} for the first time` : `${o.context} listened on ${o.value} ${rarely}`;
    case 'file-write':
      return first
        ? `${o.context} wrote into ${o.value} for the first time (${count(e.total)} writes into ${nf.format(e.distinct)} directories before${over})`
        : `${o.context} wrote into ${o.value} ${rarely}`;
    case 'file-read':
      return first ? `${o.context} read ${o.value} for the first time` : `${o.context} read ${o.value} ${rarely}`;
    case 'privilege':
      return first
        ? `${o.context} used ${o.value} for the first time (${count(e.total)} privileged calls before${over})`
        : `${o.context} used ${o.value} ${rarely}`;
  }
}
