// ECS event document <-> vigil.v1.Event, and the ECS process object <->
// vigil.v1.Process. The table of which ECS field each typed field carries
// lives here only; docs/api.md lists it. eventFromProto(eventToProto(doc))
// gives back doc (test/proto/ecs-map.test.ts, on recorded real events).
import { Putter, Taker, fromFields, isObject, jsonCopy, legacyDoc, type Doc } from './ecs-fields';
import { FILE_ACTIONS, NETWORK_ACTIONS, PROCESS_ACTIONS, PRIVILEGE_ACTIONS } from './types';
import type { Ancestor, DeepPartial, Event, EventActionCase, EventOutcome, Process, User } from './types';

const OUTCOME_TO_PROTO: Record<string, EventOutcome> = {
  success: 'EVENT_OUTCOME_SUCCESS', failure: 'EVENT_OUTCOME_FAILURE', unknown: 'EVENT_OUTCOME_UNKNOWN',
};
const OUTCOME_FROM_PROTO: Partial<Record<EventOutcome, string>> = {
  EVENT_OUTCOME_SUCCESS: 'success', EVENT_OUTCOME_FAILURE: 'failure', EVENT_OUTCOME_UNKNOWN: 'unknown',
};
const CASES: ReadonlySet<string> = new Set([...PROCESS_ACTIONS, ...FILE_ACTIONS, ...NETWORK_ACTIONS, ...PRIVILEGE_ACTIONS]);
const family = (c: EventActionCase) =>
  ((PROCESS_ACTIONS as readonly string[]).includes(c) ? 'process'
    : (FILE_ACTIONS as readonly string[]).includes(c) ? 'file'
      : (NETWORK_ACTIONS as readonly string[]).includes(c) ? 'network' : 'privilege');

/** An ancestor that fits Ancestor exactly, or undefined (then the list stays in extensions). */
function ancestorToProto(v: unknown): DeepPartial<Ancestor> | undefined {
  if (!isObject(v)) return undefined;
  const t = new Taker({ ...v }); // flat: a shallow copy keeps the original whole if the list stays in extensions
  const a = { pid: t.u32(['pid']), entity_id: t.str(['entity_id']), executable: t.str(['executable']), args: t.strs(['args']), args_truncated: t.true(['args_truncated']) };
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

/** processToProto on an object this module owns (it is taken apart). */
function processFromCopy(p: Doc): DeepPartial<Process> {
  const t = new Taker(p);
  return {
    pid: t.u32(['pid']), entity_id: t.str(['entity_id']), name: t.str(['name']), executable: t.str(['executable']),
    args: t.strs(['args']), args_count: t.u32(['args_count']), command_line: t.str(['command_line']),
    working_directory: t.str(['working_directory']), env_vars: t.strs(['env_vars']), start: t.str(['start']),
    exit_code: t.i32(['exit_code']), thread_id: t.u32(['thread', 'id']),
    parent_pid: t.u32(['parent', 'pid']), parent_entity_id: t.str(['parent', 'entity_id']),
    parent_executable: t.str(['parent', 'executable']), parent_args: t.strs(['parent', 'args']),
    parent_command_line: t.str(['parent', 'command_line']),
    ancestors: t.mapped(['ancestors'], ancestorsToProto) ?? [],
    extensions: t.rest(),
  };
}

export function processFromProto(p: Process): Doc {
  const o = new Putter();
  o.set(['pid'], p.pid); o.set(['entity_id'], p.entity_id); o.set(['name'], p.name); o.set(['executable'], p.executable);
  o.set(['args'], p.args); o.set(['args_count'], p.args_count); o.set(['command_line'], p.command_line);
  o.set(['working_directory'], p.working_directory); o.set(['env_vars'], p.env_vars); o.set(['start'], p.start);
  o.set(['exit_code'], p.exit_code); o.set(['thread', 'id'], p.thread_id);
  o.set(['parent', 'pid'], p.parent_pid); o.set(['parent', 'entity_id'], p.parent_entity_id);
  o.set(['parent', 'executable'], p.parent_executable); o.set(['parent', 'args'], p.parent_args);
  o.set(['parent', 'command_line'], p.parent_command_line);
  o.set(['ancestors'], (p.ancestors ?? []).map(ancestorFromProto));
  o.merge(p.extensions);
  return o.doc;
}

function ancestorFromProto(a: Ancestor): Doc {
  const o = new Putter();
  o.set(['pid'], a.pid); o.set(['entity_id'], a.entity_id); o.set(['executable'], a.executable);
  o.set(['args'], a.args); o.set(['args_truncated'], a.args_truncated);
  return o.doc;
}

function userToProto(t: Taker): DeepPartial<User> | null {
  if (!t.object(['user'])) return null;
  return {
    id: t.str(['user', 'id']), name: t.str(['user', 'name']),
    effective_id: t.str(['user', 'effective', 'id']), effective_name: t.str(['user', 'effective', 'name']),
    group_id: t.str(['user', 'group', 'id']), group_name: t.str(['user', 'group', 'name']),
  };
}

function actionToProto(t: Taker, c: EventActionCase): Doc {
  switch (family(c)) {
    case 'process':
      return { signal: t.i32(['vigil', 'signal']), child_pid: t.u32(['vigil', 'child', 'pid']), child_entity_id: t.str(['vigil', 'child', 'entity_id']) };
    case 'file':
      return {
        path: t.str(['file', 'path']), target_path: t.str(['file', 'target_path']), mode: t.str(['file', 'mode']),
        owner_uid: t.str(['file', 'uid']), owner_gid: t.str(['file', 'gid']), size: t.i64(['file', 'size']),
        flags: t.u32(['vigil', 'flags']), flag_names: t.strs(['vigil', 'flag_names']),
      };
    case 'network':
      return {
        transport: t.str(['network', 'transport']), type: t.str(['network', 'type']), direction: t.str(['network', 'direction']),
        source_ip: t.str(['source', 'ip']), source_port: t.u32(['source', 'port']),
        destination_ip: t.str(['destination', 'ip']), destination_port: t.u32(['destination', 'port']),
        destination_address: t.str(['destination', 'address']),
        old_state: t.str(['vigil', 'tcp', 'old_state']), new_state: t.str(['vigil', 'tcp', 'new_state']),
      };
    default:
      // Privilege actions keep their per-action extras (vigil.<action>.*) in extensions.
      return {};
  }
}

function actionFromProto(o: Putter, c: EventActionCase, a: Record<string, unknown> | undefined): void {
  if (!a) return;
  switch (family(c)) {
    case 'process':
      o.set(['vigil', 'signal'], a.signal); o.set(['vigil', 'child', 'pid'], a.child_pid); o.set(['vigil', 'child', 'entity_id'], a.child_entity_id);
      return;
    case 'file':
      o.set(['file', 'path'], a.path); o.set(['file', 'target_path'], a.target_path); o.set(['file', 'mode'], a.mode);
      o.set(['file', 'uid'], a.owner_uid); o.set(['file', 'gid'], a.owner_gid); o.set(['file', 'size'], a.size);
      o.set(['vigil', 'flags'], a.flags); o.set(['vigil', 'flag_names'], a.flag_names);
      return;
    case 'network':
      o.set(['network', 'transport'], a.transport); o.set(['network', 'type'], a.type); o.set(['network', 'direction'], a.direction);
      o.set(['source', 'ip'], a.source_ip); o.set(['source', 'port'], a.source_port);
      o.set(['destination', 'ip'], a.destination_ip); o.set(['destination', 'port'], a.destination_port);
      o.set(['destination', 'address'], a.destination_address);
      o.set(['vigil', 'tcp', 'old_state'], a.old_state); o.set(['vigil', 'tcp', 'new_state'], a.new_state);
      return;
    default:
  }
}

/** Any value (an ECS event document, or whatever a corrupt outbox row holds) as an Event message. */
export function eventToProto(v: unknown): DeepPartial<Event> {
  const t = new Taker(isObject(v) ? (jsonCopy(v) as Doc) : {});
  const actionName = t.object(['event'])?.action;
  const c = typeof actionName === 'string' ? actionName.replace(/-/g, '_') : '';
  const out: DeepPartial<Event> & Doc = {};
  if (CASES.has(c) && actionName === c.replace(/_/g, '-')) {
    t.str(['event', 'action']);
    out[c] = actionToProto(t, c as EventActionCase);
  }
  const hasProcess = isObject(t.object([])?.process);
  Object.assign(out, {
    id: t.str(['event', 'id']), timestamp: t.str(['@timestamp']), kind: t.str(['event', 'kind']),
    category: t.strs(['event', 'category']), type: t.strs(['event', 'type']), code: t.u32(['event', 'code']),
    outcome: t.mapped(['event', 'outcome'], (x) => (typeof x === 'string' ? OUTCOME_TO_PROTO[x] : undefined)) ?? 'EVENT_OUTCOME_UNSPECIFIED',
    host_name: t.str(['host', 'name']), host_boot_id: t.str(['host', 'boot', 'id']),
    process: hasProcess ? processFromCopy(t.object(['process'])!) : null,
    user: userToProto(t),
    container_id: t.str(['container', 'id']), container_runtime: t.str(['container', 'runtime']),
    ret: t.i64(['vigil', 'ret']), errno: t.str(['vigil', 'errno']), truncated: t.true(['vigil', 'truncated']),
    repeat: t.u32(['vigil', 'repeat']), cgroup_id: t.str(['vigil', 'cgroup_id']), mnt_ns: t.u64(['vigil', 'mnt_ns']),
    pid_ns: t.u64(['vigil', 'pid_ns']), loginuid: t.u32(['vigil', 'loginuid']),
    start_boottime_ns: t.str(['vigil', 'start_boottime_ns']), ts_boot_ns: t.str(['vigil', 'ts_boot_ns']),
    path_unresolved: t.true(['vigil', 'path_unresolved']), no_task_context: t.true(['vigil', 'no_task_context']),
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
  o.set(['@timestamp'], e.timestamp);
  o.set(['event', 'id'], e.id); o.set(['event', 'kind'], e.kind); o.set(['event', 'category'], e.category);
  o.set(['event', 'type'], e.type); o.set(['event', 'code'], e.code); o.set(['event', 'outcome'], OUTCOME_FROM_PROTO[e.outcome]);
  if (e.action) {
    o.set(['event', 'action'], e.action.replace(/_/g, '-'));
    actionFromProto(o, e.action, e[e.action] as unknown as Record<string, unknown> | undefined);
  }
  o.set(['host', 'name'], e.host_name); o.set(['host', 'boot', 'id'], e.host_boot_id);
  if (e.process) o.doc.process = processFromProto(e.process);
  if (e.user) {
    o.ensure(['user']);
    o.set(['user', 'id'], e.user.id); o.set(['user', 'name'], e.user.name);
    o.set(['user', 'effective', 'id'], e.user.effective_id); o.set(['user', 'effective', 'name'], e.user.effective_name);
    o.set(['user', 'group', 'id'], e.user.group_id); o.set(['user', 'group', 'name'], e.user.group_name);
  }
  o.set(['container', 'id'], e.container_id); o.set(['container', 'runtime'], e.container_runtime);
  o.set(['vigil', 'ret'], e.ret); o.set(['vigil', 'errno'], e.errno); o.set(['vigil', 'truncated'], e.truncated);
  o.set(['vigil', 'repeat'], e.repeat); o.set(['vigil', 'cgroup_id'], e.cgroup_id); o.set(['vigil', 'mnt_ns'], e.mnt_ns);
  o.set(['vigil', 'pid_ns'], e.pid_ns); o.set(['vigil', 'loginuid'], e.loginuid);
  o.set(['vigil', 'start_boottime_ns'], e.start_boottime_ns); o.set(['vigil', 'ts_boot_ns'], e.ts_boot_ns);
  o.set(['vigil', 'path_unresolved'], e.path_unresolved); o.set(['vigil', 'no_task_context'], e.no_task_context);
  o.merge(e.extensions);
  return o.doc;
}

export { fromFields };
