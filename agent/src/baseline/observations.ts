// What the baseline learns from one event: (profile, context, value)
// triples. A profile is one question ("which children does this parent
// start?"); the context is who asks (the parent's exe), the value the
// answer (the child's exe). Host-wide profiles use the context '*'.
import type { EcsEvent } from '../model/ecs-event';
import { addressClass } from './address-class';
import { argsTemplate, dirTemplate, pathTemplate } from './templates';

export const PROFILES = [
  'exe', 'lineage', 'user-exe', 'service-exe', 'cmdline',
  'net-dest', 'net-first', 'listen', 'file-write', 'file-read', 'privilege',
] as const;
export type ProfileName = (typeof PROFILES)[number];

/**
 * Profiles that ask nearly the same question: an event's score takes the
 * strongest of a family, not their sum (a new exe is also new for its user).
 */
export const FAMILY: Readonly<Record<ProfileName, string>> = {
  exe: 'program', 'user-exe': 'program', 'service-exe': 'program', lineage: 'program', cmdline: 'cmdline',
  'net-dest': 'network', 'net-first': 'network', listen: 'listen', 'file-write': 'file-write', 'file-read': 'file-read',
  privilege: 'privilege',
};

export interface Observation {
  profile: ProfileName;
  context: string;
  value: string;
}

export const HOST = '*';
/** Linux's default ip_local_port_range starts here. */
const EPHEMERAL_LOW = 32768;
/** The one value of `net-first`: a connection outside loopback. */
export const OUTSIDE = 'outside loopback';
/**
 * Profiles whose context is the process's own exe. When that exe has never
 * done this kind of thing at all, its evidence is how often it ran without
 * doing it (evidence.ts): a program seen 4,000 times that first connects out
 * is news.
 */
export const EXE_CONTEXT_FALLBACK: ReadonlySet<ProfileName> = new Set(['net-dest', 'net-first', 'listen', 'file-read', 'file-write', 'privilege']);
/**
 * Profiles also kept for the whole host (context '*'): "no program here ever
 * wrote into /etc/cron.d" or "ever connected to port 4444" holds when the
 * program is new too, or has too little history of its own to judge.
 */
export const HOST_WIDE: ReadonlySet<ProfileName> = new Set(['net-dest', 'file-write', 'file-read']);

const WRITE_ACTIONS = new Set(['create', 'unlink', 'rename', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'mkdir']);
const PRIV_ACTIONS = new Set(['setuid', 'setgid', 'capset', 'ptrace', 'module-load', 'bpf', 'memfd-create', 'mount', 'unshare', 'setns']);
/** Reads worth a profile: credentials, keys, the kernel's memory views (one pattern: it runs on every read). */
const SENSITIVE = new RegExp([
  '^/etc/(shadow|gshadow|sudoers|master\\.passwd)', '^/etc/ssh/ssh_host_', '/\\.ssh/', '^/root/',
  '\\.(pem|key|p12|pfx|kdbx)$', '^/proc/[^/]+/(mem|environ|maps)$', '/\\.(aws|gnupg|kube|docker)/',
  '/\\.(bash_history|netrc|pgpass|git-credentials)$', '^/var/lib/sss/', '^/etc/krb5\\.keytab$',
].join('|'));

export const isSensitivePath = (p: string): boolean => SENSITIVE.test(p);

/** Templates of paths seen again and again (exes, dirs): computed once, one cache per template kind. */
const TEMPLATE_CACHE_MAX = 8192;
function templateCache(make: (p: string) => string): (path: string) => string {
  const cache = new Map<string, string>();
  return (path) => {
    let t = cache.get(path);
    if (t === undefined) {
      if (cache.size >= TEMPLATE_CACHE_MAX) cache.clear();
      cache.set(path, (t = make(path)));
    }
    return t;
  };
}
const exeTemplate = templateCache(pathTemplate);
const writeDirTemplate = templateCache(dirTemplate);

/** systemd unit or container of a cgroup path: /system.slice/nginx.service -> nginx.service. */
export function serviceOf(cgroupPath: string | undefined, containerId: string | undefined): string | undefined {
  if (containerId) return `container ${containerId.slice(0, 12)}`;
  if (!cgroupPath) return undefined;
  const parts = cgroupPath.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    if (/\.(service|scope)$/.test(parts[i])) return parts[i].replace(/\d+/g, '<n>');
  }
  return undefined;
}

function isWrite(ev: EcsEvent): boolean {
  const a = ev.event.action;
  if (WRITE_ACTIONS.has(a)) return true;
  if (a !== 'open') return false;
  const f = ev.vigil.flag_names;
  return Array.isArray(f) && (f.includes('O_WRONLY') || f.includes('O_RDWR'));
}

/** The observations of one event; `service` is the unit or container it runs under, when known. */
export function observe(ev: EcsEvent, service?: string): Observation[] {
  const p = ev.process;
  const exePath = p?.executable;
  if (!exePath) return [];
  const action = ev.event?.action;
  // Most events are reads that tell a profile nothing: leave before any string work.
  if (action === 'open' && !isWrite(ev) && !(ev.file?.path && isSensitivePath(ev.file.path))) return [];
  const exe = exeTemplate(exePath);
  const out: Observation[] = [];
  const add = (profile: ProfileName, context: string, value: string): void => {
    out.push({ profile, context, value });
    if (context !== HOST && HOST_WIDE.has(profile)) out.push({ profile, context: HOST, value });
  };
  if (ev.event?.outcome === 'failure' && action === 'exec') return out;
  switch (action) {
    case 'exec': {
      add('exe', HOST, exe);
      const parent = p.parent?.executable;
      if (parent) add('lineage', exeTemplate(parent), exe);
      const user = ev.user?.name ?? ev.user?.id;
      if (user !== undefined) add('user-exe', user, exe);
      if (service) add('service-exe', service, exe);
      add('cmdline', exe, argsTemplate(p.args));
      break;
    }
    case 'connect': {
      if (ev.network?.type === 'unix') {
        const path = ev.destination?.address;
        if (path) add('net-dest', exe, `unix ${pathTemplate(path)}`);
        break;
      }
      const cls = addressClass(ev.destination?.ip);
      const port = ev.destination?.port;
      // Local services on ephemeral ports (test servers, IDE helpers) are one behaviour, not thousands.
      const portText = cls === 'loopback' && typeof port === 'number' && port >= EPHEMERAL_LOW ? '<ephemeral>' : String(port ?? '?');
      const value = `${cls} port ${portText}`;
      if (cls === 'loopback') out.push({ profile: 'net-dest', context: exe, value }); // what talks locally varies too much host-wide
      else add('net-dest', exe, value);
      if (cls !== 'loopback' && cls !== 'unknown') add('net-first', exe, OUTSIDE);
      break;
    }
    case 'listen':
    case 'bind': {
      const port = ev.source?.port;
      if (typeof port === 'number' && port > 0) add('listen', exe, `${ev.network?.transport ?? 'ip'}/${port}`);
      break;
    }
    default:
      if (PRIV_ACTIONS.has(action)) {
        if (ev.event.outcome !== 'failure') add('privilege', exe, action);
      } else if (ev.file?.path && ev.event.outcome !== 'failure') {
        if (isWrite(ev)) add('file-write', exe, writeDirTemplate(action === 'rename' ? ev.file.target_path ?? ev.file.path : ev.file.path));
        else if (action === 'open' && isSensitivePath(ev.file.path)) add('file-read', exe, pathTemplate(ev.file.path));
      }
  }
  return out;
}
