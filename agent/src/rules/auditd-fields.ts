// SigmaHQ's `service: auditd` rules read auditd's records, not Sysmon's
// fields. This is the auditd view of a Vigil event: which record types the
// same activity makes auditd write (an exec is SYSCALL + EXECVE + PATH + CWD
// + PROCTITLE) and the fields those records carry. Approximations are listed
// in docs/rules.md (auditd rules): Vigil has no audit rule keys, no TTY
// records and no raw arguments of syscalls other than execve.
import type { EcsEvent } from '../model/ecs-event';
import type { Getter } from './field-map';

const FILE_ACTIONS = new Set(['open', 'create', 'unlink', 'rename', 'chmod', 'chown', 'link', 'symlink', 'truncate', 'mkdir', 'chdir']);
const NET_ACTIONS = new Set(['connect', 'accept', 'bind', 'listen']);
const CREATES = new Set(['create', 'mkdir', 'symlink', 'link']);
const ACCOUNT_TOOLS = /\/(useradd|adduser|newusers)$/;
const MAX_EXECVE_ARGS = 32;

const base = (p: string | undefined): string => (p ? p.slice(p.lastIndexOf('/') + 1) : '');

/** The auditd record types this event stands for. */
function recordTypes(ev: EcsEvent): string[] {
  const a = ev.event?.action;
  if (a === 'exec') {
    const t = ['SYSCALL', 'EXECVE', 'PATH', 'CWD', 'PROCTITLE'];
    const exe = ev.process?.executable ?? '';
    if (ev.event.outcome !== 'failure' && ACCOUNT_TOOLS.test(exe)) t.push('ADD_USER');
    if (base(exe) === 'systemctl' && ev.process?.args?.[1] === 'stop') t.push('SERVICE_STOP');
    return t;
  }
  if (FILE_ACTIONS.has(a)) return ['SYSCALL', 'PATH', 'CWD'];
  if (NET_ACTIONS.has(a)) return ['SYSCALL', 'SOCKADDR'];
  if (a === 'fork' || a === 'exit') return [];
  return ['SYSCALL'];
}

function syscallName(ev: EcsEvent): string | undefined {
  const a = ev.event?.action;
  if (a === 'exec') return 'execve';
  const s = ev.vigil?.syscall;
  if (typeof s === 'string') return s;
  for (const k of ['setuid', 'setgid', 'module', 'dup'] as const) {
    const sub = ev.vigil?.[k] as { syscall?: string } | undefined;
    if (sub?.syscall) return sub.syscall;
  }
  return a === 'memfd-create' ? 'memfd_create' : a;
}

/** PATH record `nametype`: what the syscall did to the name. */
function nameType(ev: EcsEvent): string | undefined {
  const a = ev.event?.action;
  if (!FILE_ACTIONS.has(a) && a !== 'exec') return undefined;
  if (CREATES.has(a)) return 'CREATE';
  if (a === 'unlink') return 'DELETE';
  if (a === 'open' && Array.isArray(ev.vigil?.flag_names) && (ev.vigil.flag_names as string[]).includes('O_CREAT')) return 'CREATE';
  return 'NORMAL';
}

function execveArg(i: number): Getter {
  return (ev) => (ev.event?.action === 'exec' ? ev.process?.args?.[i] : undefined);
}

/** The text of the records an event stands for: what an auditd rule's keywords search (not the ancestry). */
function recordText(ev: EcsEvent): string[] {
  const out: (string | undefined)[] = [ev.process?.executable, syscallName(ev)];
  const a = ev.event?.action;
  if (a === 'exec') out.push(...(ev.process?.args ?? []), ev.process?.working_directory);
  else if (FILE_ACTIONS.has(a)) out.push(ev.file?.path, ev.file?.target_path);
  else if (NET_ACTIONS.has(a)) out.push(ev.destination?.ip, ev.destination?.port?.toString());
  return out.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** The field an auditd rule's keywords search (logsource.ts). */
export const AUDITD_KEYWORD_FIELD = 'auditd_record';

export const AUDITD_FIELDS: Readonly<Record<string, Getter>> = {
  [AUDITD_KEYWORD_FIELD]: recordText,
  type: recordTypes,
  SYSCALL: syscallName,
  syscall: syscallName,
  exe: (ev) => ev.process?.executable,
  comm: (ev) => ev.process?.name,
  // PATH records: the file acted on (both names of a rename or link), or the program an exec loaded.
  name: (ev) => {
    if (ev.event?.action === 'exec') return ev.process?.executable;
    const f = ev.file;
    return f?.target_path ? [f.path, f.target_path].filter(Boolean) : f?.path;
  },
  nametype: nameType,
  argc: (ev) => (ev.event?.action === 'exec' ? ev.process?.args_count : undefined),
  cwd: (ev) => ev.process?.working_directory,
  proctitle: (ev) => ev.process?.command_line,
  uid: (ev) => ev.user?.id,
  euid: (ev) => ev.user?.effective?.id,
  gid: (ev) => ev.user?.group?.id,
  auid: (ev) => ev.vigil?.loginuid,
  pid: (ev) => ev.process?.pid,
  ppid: (ev) => ev.process?.parent?.pid,
  success: (ev) => (ev.event?.outcome === 'failure' ? 'no' : 'yes'),
  exit: (ev) => ev.vigil?.ret,
  // SERVICE_STOP: the unit systemctl was asked to stop.
  unit: (ev) => (ev.event?.action === 'exec' && base(ev.process?.executable) === 'systemctl' ? ev.process?.args?.[2] : undefined),
  // EXECVE's a0..aN are the argv strings; auditd's SYSCALL a0..a3 (raw registers) are not captured.
  ...Object.fromEntries(Array.from({ length: MAX_EXECVE_ARGS }, (_, i) => [`a${i}`, execveArg(i)])),
};
