// logsource -> which event actions a rule can see. Standard Sigma linux
// categories follow Sysmon for Linux semantics (successful operations only);
// `vigil_*` categories and the `product: vigil` catch-all also see failures.
// Documented in docs/rules.md.
import type { EcsEvent, EventAction } from '../model/ecs-event';
import { EVENT_ACTIONS } from '../model/ecs-event';
import { AUDITD_KEYWORD_FIELD } from './auditd-fields';
import { RuleSyntaxError, type YamlPath } from './errors';
import type { Matcher } from './types';

interface Category {
  actions: EventAction[];
  /** Standard Sigma categories only report operations that succeeded. */
  successOnly: boolean;
  /** Extra gate beyond the action, e.g. open-for-write vs open-for-read. */
  gate?: (ev: EcsEvent) => boolean;
  /** The gate keeps read-only opens out (file_event). */
  noReadOpens?: true;
}

const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;

/** open() that may modify the file: write access, O_CREAT or O_TRUNC. */
export function openWrites(ev: EcsEvent): boolean {
  const names = ev.vigil?.flag_names;
  if (Array.isArray(names) && names.length) {
    return names.some((n) => n === 'O_WRONLY' || n === 'O_RDWR' || n === 'O_CREAT' || n === 'O_TRUNC');
  }
  const f = ev.vigil?.flags;
  if (typeof f !== 'number') return false;
  return (f & O_ACCMODE) !== 0 || (f & (O_CREAT | O_TRUNC)) !== 0;
}

const std = (actions: EventAction[], gate?: Category['gate']): Category => ({ actions, successOnly: true, gate });
const own = (...actions: EventAction[]): Category => ({ actions, successOnly: false });

export const CATEGORIES: Readonly<Record<string, Category>> = {
  process_creation: std(['exec']),
  process_termination: std(['exit']),
  file_event: {
    ...std(['open', 'create', 'rename', 'chmod', 'chown', 'link', 'symlink', 'truncate', 'mkdir'], (ev) =>
      ev.event.action === 'open' ? openWrites(ev) : true),
    noReadOpens: true,
  },
  file_access: std(['open'], (ev) => !openWrites(ev)),
  file_delete: std(['unlink']),
  file_rename: std(['rename']),
  network_connection: std(['connect', 'accept']),
  /** connect() whatever its outcome: a scan is mostly refused or timed-out attempts. */
  vigil_connect_attempt: own('connect'),
  vigil_privilege: own('setuid', 'setgid', 'capset'),
  vigil_ptrace: own('ptrace'),
  vigil_module: own('module-load', 'module-unload'),
  vigil_bpf: own('bpf'),
  vigil_memfd: own('memfd-create'),
  vigil_mount: own('mount', 'umount'),
  vigil_namespace: own('unshare', 'setns'),
  vigil_dup_stdio: own('dup-stdio'),
  vigil_set_name: own('set-name'),
  vigil_socket: own('socket'),
  vigil_network_listen: own('bind', 'listen'),
  vigil_tcp_state: own('tcp-state'),
  vigil_process_fork: own('fork'),
  vigil_chdir: own('chdir'),
  vigil_file_attr: own('chmod', 'chown', 'truncate'),
};

export interface LogsourceGate {
  actions: Set<EventAction> | null;
  /** Applied before the detection; null when the action index is enough. */
  gate: Matcher | null;
  /** Read-only opens can reach the rule (what the kernel's read watch must cover). */
  readOpens: boolean;
  /** Keywords search this field instead of the whole event (auditd rules: the record text). */
  keywordField?: string;
}

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x.toLowerCase() : undefined);

export function compileLogsource(ls: unknown, path: YamlPath): LogsourceGate {
  if (ls === null || typeof ls !== 'object' || Array.isArray(ls)) throw new RuleSyntaxError("'logsource' must be a map", path);
  const o = ls as Record<string, unknown>;
  const product = str(o.product);
  const category = str(o.category);
  const service = str(o.service);
  if (product === 'vigil' && !category && (!service || service === 'all')) {
    return { actions: new Set(EVENT_ACTIONS), gate: null, readOpens: true };
  }
  if (product !== undefined && product !== 'linux' && product !== 'vigil') {
    throw new RuleSyntaxError(`unsupported logsource product '${String(o.product)}' (use linux or vigil)`, [...path, 'product']);
  }
  if (service === 'auditd' && !category) {
    // auditd's records (auditd-fields.ts): the rule's `type` picks the records, every action can be one.
    return { actions: new Set(EVENT_ACTIONS), gate: null, readOpens: true, keywordField: AUDITD_KEYWORD_FIELD };
  }
  if (service !== undefined) throw new RuleSyntaxError(`unsupported logsource service '${String(o.service)}' (auditd is the one Vigil maps)`, [...path, 'service']);
  if (!category) throw new RuleSyntaxError('logsource needs a category (see docs/rules.md)', path);
  const cat = CATEGORIES[category];
  if (!cat) throw new RuleSyntaxError(`unsupported logsource category '${String(o.category)}'`, [...path, 'category']);
  const { gate, successOnly } = cat;
  let m: Matcher | null = null;
  if (gate && successOnly) m = (v) => v.ev.event.outcome !== 'failure' && gate(v.ev);
  else if (successOnly) m = (v) => v.ev.event.outcome !== 'failure';
  else if (gate) m = (v) => gate(v.ev);
  return { actions: new Set(cat.actions), gate: m, readOpens: cat.actions.includes('open') && !cat.noReadOpens };
}
