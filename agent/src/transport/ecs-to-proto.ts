// ECS documents -> vigil.v1 messages. Input is whatever the pipeline (or
// the outbox, after a restart) hands us, so every field is coerced to its
// proto type: a wrong type becomes the field's default instead of a frame
// the encoder or the control plane would reject.
import type { DeepPartial, Event, EventActionCase, Process } from '../../../proto/src';
import { FILE_ACTIONS, NETWORK_ACTIONS, PRIVILEGE_ACTIONS, PROCESS_ACTIONS } from '../../../proto/src';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj =>
  (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const u32 = (v: unknown): number =>
  (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : 0);
export const i64 = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);

const ACTIONS: ReadonlySet<string> = new Set([...PROCESS_ACTIONS, ...FILE_ACTIONS, ...NETWORK_ACTIONS, ...PRIVILEGE_ACTIONS]);
const OUTCOMES: Record<string, Event['outcome']> = {
  success: 'EVENT_OUTCOME_SUCCESS', failure: 'EVENT_OUTCOME_FAILURE', unknown: 'EVENT_OUTCOME_UNKNOWN',
};

export function toProtoProcess(v: unknown): DeepPartial<Process> | null {
  const p = obj(v);
  if (Object.keys(p).length === 0) return null;
  const parent = obj(p.parent);
  const ancestors = Array.isArray(p.ancestors) ? p.ancestors.map(obj) : [];
  return {
    pid: u32(p.pid), entity_id: str(p.entity_id), name: str(p.name), executable: str(p.executable),
    args: strs(p.args), command_line: str(p.command_line), working_directory: str(p.working_directory),
    start: str(p.start), thread_id: u32(obj(p.thread).id), parent_pid: u32(parent.pid),
    parent_entity_id: str(parent.entity_id), parent_executable: str(parent.executable),
    ancestors: ancestors.map((a) => ({ pid: u32(a.pid), entity_id: str(a.entity_id), executable: str(a.executable), args: strs(a.args) })),
  };
}

/** An event reference inside an Alert: identity plus the full document as `json`. */
export function toEventRef(v: unknown): DeepPartial<Event> {
  const e = obj(v);
  return { id: str(obj(e.event).id), timestamp: str(e['@timestamp']), json: safeJson(e) };
}

/** One ECS event for an EventBatch: common fields, the action case, and the full document as `json`. */
export function toProtoEvent(v: unknown): DeepPartial<Event> {
  const e = obj(v);
  const ev = obj(e.event);
  const vg = obj(e.vigil);
  const user = obj(e.user);
  const action = str(ev.action).replace(/-/g, '_');
  const out: DeepPartial<Event> & Obj = {
    id: str(ev.id), timestamp: str(e['@timestamp']), host_name: str(obj(e.host).name),
    outcome: OUTCOMES[str(ev.outcome)] ?? 'EVENT_OUTCOME_UNSPECIFIED',
    process: toProtoProcess(e.process),
    user: Object.keys(user).length ? {
      id: str(user.id), name: str(user.name), effective_id: str(obj(user.effective).id), group_id: str(obj(user.group).id),
    } : null,
    container_id: str(obj(e.container).id), ret: i64(vg.ret), errno: str(vg.errno),
    truncated: vg.truncated === true, repeat: u32(vg.repeat), json: safeJson(e),
  };
  // The action member carries no detail here: `json` has all of it.
  if (ACTIONS.has(action)) out[action as EventActionCase] = {};
  return out;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}
