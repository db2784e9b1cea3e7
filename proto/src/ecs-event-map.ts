// ECS event document <-> vigil.v1.Event, and the ECS process object <->
// vigil.v1.Process. The tables of which ECS field each typed field carries
// live here only, and both directions read them; docs/api.md lists them. eventFromProto(eventToProto(doc))
// gives back doc (test/proto/ecs-map.test.ts, on recorded real events).
import { Putter, Taker, isObject, jsonCopy, legacyDoc, type Doc, type FieldTable } from './ecs-fields';
import { FILE_ACTIONS, NETWORK_ACTIONS, PROCESS_ACTIONS, PRIVILEGE_ACTIONS } from './types';
import type { Ancestor, DeepPartial, Event, EventActionCase, EventOutcome, Process, User } from './types';

const OUTCOME_TO_PROTO: Record<string, EventOutcome> = {
  success: 'EVENT_OUTCOME_SUCCESS', failure: 'EVENT_OUTCOME_FAILURE', unknown: 'EVENT_OUTCOME_UNKNOWN',
};
const OUTCOME_FROM_PROTO: Partial<Record<EventOutcome, string>> = {
  EVENT_OUTCOME_SUCCESS: 'success', EVENT_OUTCOME_FAILURE: 'failure', EVENT_OUTCOME_UNKNOWN: 'unknown',
};
const CASES: ReadonlySet<string> = new Set([...PROCESS_ACTIONS, ...FILE_ACTIONS, ...NETWORK_ACTIONS, ...PRIVILEGE_ACTIONS]);

const ANCESTOR: FieldTable = [
  ['pid', ['pid'], 'u32'], ['entity_id', ['entity_id'], 'str'], ['executable', ['executable'], 'str'],
  ['args', ['args'], 'strs'], ['args_truncated', ['args_truncated'], 'true'],
];

/** Process; `ancestors` and `extensions` are mapped apart. */
const PROCESS: FieldTable = [
  ['pid', ['pid'], 'u32'], ['entity_id', ['entity_id'], 'str'], ['name', ['name'], 'str'], ['executable', ['executable'], 'str'],
  ['args', ['args'], 'strs'], ['args_count', ['args_count'], 'u32'], ['command_line', ['command_line'], 'str'],
  ['working_directory', ['working_directory'], 'str'], ['env_vars', ['env_vars'], 'strs'], ['start', ['start'], 'str'],
  ['exit_code', ['exit_code'], 'i32'], ['thread_id', ['thread', 'id'], 'u32'],
  ['parent_pid', ['parent', 'pid'], 'u32'], ['parent_entity_id', ['parent', 'entity_id'], 'str'],
  ['parent_executable', ['parent', 'executable'], 'str'], ['parent_args', ['parent', 'args'], 'strs'],
  ['parent_command_line', ['parent', 'command_line'], 'str'],
];

const USER: FieldTable = [
  ['id', ['user', 'id'], 'str'], ['name', ['user', 'name'], 'str'],
  ['effective_id', ['user', 'effective', 'id'], 'str'], ['effective_name', ['user', 'effective', 'name'], 'str'],
  ['group_id', ['user', 'group', 'id'], 'str'], ['group_name', ['user', 'group', 'name'], 'str'],
];

/** Event's own fields; the action, outcome, process, user and extensions are mapped apart. */
const EVENT: FieldTable = [
  ['id', ['event', 'id'], 'str'], ['timestamp', ['@timestamp'], 'str'], ['kind', ['event', 'kind'], 'str'],
  ['category', ['event', 'category'], 'strs'], ['type', ['event', 'type'], 'strs'], ['code', ['event', 'code'], 'u32'],
  ['host_name', ['host', 'name'], 'str'], ['host_boot_id', ['host', 'boot', 'id'], 'str'],
  ['container_id', ['container', 'id'], 'str'], ['container_runtime', ['container', 'runtime'], 'str'],
  ['ret', ['vigil', 'ret'], 'i64'], ['errno', ['vigil', 'errno'], 'str'], ['truncated', ['vigil', 'truncated'], 'true'],
  ['repeat', ['vigil', 'repeat'], 'u32'], ['cgroup_id', ['vigil', 'cgroup_id'], 'str'], ['mnt_ns', ['vigil', 'mnt_ns'], 'u64'],
  ['pid_ns', ['vigil', 'pid_ns'], 'u64'], ['loginuid', ['vigil', 'loginuid'], 'u32'],
  ['start_boottime_ns', ['vigil', 'start_boottime_ns'], 'str'], ['ts_boot_ns', ['vigil', 'ts_boot_ns'], 'str'],
  ['path_unresolved', ['vigil', 'path_unresolved'], 'true'], ['no_task_context', ['vigil', 'no_task_context'], 'true'],
];

const PROCESS_ACTION: FieldTable = [
  ['signal', ['vigil', 'signal'], 'i32'], ['child_pid', ['vigil', 'child', 'pid'], 'u32'], ['child_entity_id', ['vigil', 'child', 'entity_id'], 'str'],
];
const FILE_ACTION: FieldTable = [
  ['path', ['file', 'path'], 'str'], ['target_path', ['file', 'target_path'], 'str'], ['mode', ['file', 'mode'], 'str'],
  ['owner_uid', ['file', 'uid'], 'str'], ['owner_gid', ['file', 'gid'], 'str'], ['size', ['file', 'size'], 'i64'],
  ['flags', ['vigil', 'flags'], 'u32'], ['flag_names', ['vigil', 'flag_names'], 'strs'],
];
const NETWORK_ACTION: FieldTable = [
  ['transport', ['network', 'transport'], 'str'], ['type', ['network', 'type'], 'str'], ['direction', ['network', 'direction'], 'str'],
  ['source_ip', ['source', 'ip'], 'str'], ['source_port', ['source', 'port'], 'u32'],
  ['destination_ip', ['destination', 'ip'], 'str'], ['destination_port', ['destination', 'port'], 'u32'],
  ['destination_address', ['destination', 'address'], 'str'],
  ['old_state', ['vigil', 'tcp', 'old_state'], 'str'], ['new_state', ['vigil', 'tcp', 'new_state'], 'str'],
];

/** The action member's table. Privilege actions keep their per-action extras (vigil.<action>.*) in extensions. */
const actionTable = (c: EventActionCase): FieldTable =>
  ((PROCESS_ACTIONS as readonly string[]).includes(c) ? PROCESS_ACTION
    : (FILE_ACTIONS as readonly string[]).includes(c) ? FILE_ACTION
      : (NETWORK_ACTIONS as readonly string[]).includes(c) ? NETWORK_ACTION : []);

/** An ancestor that fits Ancestor exactly, or undefined (then the list stays in extensions). */
function ancestorToProto(v: unknown): DeepPartial<Ancestor> | undefined {
  if (!isObject(v)) return undefined;
  const t = new Taker({ ...v }); // flat: a shallow copy keeps the original whole if the list stays in extensions
  const a = t.fields(ANCESTOR);
  return t.rest() ? undefined : a;
}

function ancestorsToProto(v: unknown): DeepPartial<Ancestor>[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out = v.map(ancestorToProto);
  return out.every((a) => a !== undefined) ? (out as DeepPartial<Ancestor>[]) : undefined;
}

/** The ECS process object as a Process message; `null` when it is not an object. */
export function processToProto(v: unknown): DeepPartial<Process> | null {
  return isObject(v) ? processFromCopy(jsonCopy(v) as Doc) : null;
}

/** processToProto on a copy the caller owns (it is taken apart). */
export function processFromCopy(p: Doc): DeepPartial<Process> {
  const t = new Taker(p);
  return {
    ...t.fields(PROCESS),
    ancestors: t.mapped(['ancestors'], ancestorsToProto) ?? [],
    extensions: t.rest(),
  };
}

export function processFromProto(p: Process): Doc {
  const o = new Putter();
  o.fields(PROCESS, p);
  o.set(['ancestors'], (p.ancestors ?? []).map(ancestorFromProto));
  o.merge(p.extensions);
  return o.doc;
}

function ancestorFromProto(a: Ancestor): Doc {
  const o = new Putter();
  o.fields(ANCESTOR, a);
  return o.doc;
}

function userToProto(t: Taker): DeepPartial<User> | null {
  return t.object(['user']) ? t.fields(USER) : null;
}

/** Any value (an ECS event document, or whatever a corrupt outbox row holds) as an Event message. */
export function eventToProto(v: unknown): DeepPartial<Event> {
  return eventFromCopy(isObject(v) ? (jsonCopy(v) as Doc) : {});
}

/** eventToProto on a copy the caller owns (it is taken apart). */
export function eventFromCopy(doc: Doc): DeepPartial<Event> {
  const t = new Taker(doc);
  const actionName = t.object(['event'])?.action;
  const c = typeof actionName === 'string' ? actionName.replace(/-/g, '_') : '';
  const out: DeepPartial<Event> & Doc = {};
  if (CASES.has(c) && actionName === c.replace(/_/g, '-')) {
    t.str(['event', 'action']);
    out[c] = t.fields(actionTable(c as EventActionCase));
  }
  const hasProcess = isObject(t.object([])?.process);
  Object.assign(out, t.fields(EVENT), {
    outcome: t.mapped(['event', 'outcome'], (x) => (typeof x === 'string' ? OUTCOME_TO_PROTO[x] : undefined)) ?? 'EVENT_OUTCOME_UNSPECIFIED',
    process: hasProcess ? processFromCopy(t.object(['process'])!) : null,
    user: userToProto(t),
  });
  if (hasProcess) t.drop(['process']);
  out.extensions = t.rest();
  return out;
}

/** The ECS document an Event carries: its `json` from a 1.2 agent, else the typed fields. */
export function eventFromProto(e: Event): Doc {
  const legacy = legacyDoc(e.json);
  if (legacy) return legacy;
  const o = new Putter();
  o.fields(EVENT, e);
  o.set(['event', 'outcome'], OUTCOME_FROM_PROTO[e.outcome]);
  if (e.action) {
    o.set(['event', 'action'], e.action.replace(/_/g, '-'));
    const member = e[e.action];
    if (member) o.fields(actionTable(e.action), member);
  }
  if (e.process) o.doc.process = processFromProto(e.process);
  if (e.user) {
    o.ensure(['user']);
    o.fields(USER, e.user);
  }
  o.merge(e.extensions);
  return o.doc;
}

