// TS shapes of the vigil.v1 messages as decode() returns them (protobufjs
// toObject with defaults: every scalar present, absent sub-messages null,
// 64-bit ints as numbers, enums as their names, the set oneof member named
// by its discriminator). field-table.ts mirrors these; test/proto/ fails
// when the .proto and these types drift.

export const EVENT_TYPES = [
  'EVENT_TYPE_UNSPECIFIED', 'EVENT_TYPE_EXEC', 'EVENT_TYPE_FORK', 'EVENT_TYPE_EXIT',
  'EVENT_TYPE_OPEN', 'EVENT_TYPE_CREATE', 'EVENT_TYPE_UNLINK', 'EVENT_TYPE_RENAME', 'EVENT_TYPE_CHMOD',
  'EVENT_TYPE_CHOWN', 'EVENT_TYPE_LINK', 'EVENT_TYPE_SYMLINK', 'EVENT_TYPE_TRUNCATE', 'EVENT_TYPE_MKDIR',
  'EVENT_TYPE_CHDIR', 'EVENT_TYPE_CONNECT', 'EVENT_TYPE_ACCEPT', 'EVENT_TYPE_BIND', 'EVENT_TYPE_LISTEN',
  'EVENT_TYPE_SOCKET', 'EVENT_TYPE_TCP_STATE', 'EVENT_TYPE_SETUID', 'EVENT_TYPE_SETGID', 'EVENT_TYPE_CAPSET',
  'EVENT_TYPE_PTRACE', 'EVENT_TYPE_MODULE_LOAD', 'EVENT_TYPE_MODULE_UNLOAD', 'EVENT_TYPE_BPF',
  'EVENT_TYPE_MEMFD_CREATE', 'EVENT_TYPE_MOUNT', 'EVENT_TYPE_UMOUNT', 'EVENT_TYPE_UNSHARE', 'EVENT_TYPE_SETNS',
  'EVENT_TYPE_DUP_STDIO', 'EVENT_TYPE_SET_NAME',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_OUTCOMES = [
  'EVENT_OUTCOME_UNSPECIFIED', 'EVENT_OUTCOME_SUCCESS', 'EVENT_OUTCOME_FAILURE', 'EVENT_OUTCOME_UNKNOWN',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const SEVERITIES = [
  'SEVERITY_UNSPECIFIED', 'SEVERITY_INFORMATIONAL', 'SEVERITY_LOW', 'SEVERITY_MEDIUM', 'SEVERITY_HIGH',
  'SEVERITY_CRITICAL',
] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CAPABILITIES = [
  'CAPABILITY_UNSPECIFIED', 'CAPABILITY_PROCESS', 'CAPABILITY_FILE', 'CAPABILITY_NETWORK',
  'CAPABILITY_PRIVILEGE', 'CAPABILITY_QUERY', 'CAPABILITY_EVENT_STREAM',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const ACK_STREAMS = ['ACK_STREAM_UNSPECIFIED', 'ACK_STREAM_ALERTS', 'ACK_STREAM_EVENTS'] as const;
export type AckStream = (typeof ACK_STREAMS)[number];

/** A typed value of an ECS field with no protobuf field of its own (value.proto); exactly one member set. */
export interface Value {
  kind?: 'text' | 'number' | 'flag' | 'list' | 'object' | 'is_null';
  text?: string; number?: number; flag?: boolean; list?: ValueList; object?: Fields; is_null?: boolean;
}
export interface ValueList { items: Value[] }
export interface Field { key: string; value: Value | null }
export interface Fields { fields: Field[] }

export interface Ancestor { pid: number; entity_id: string; executable: string; args: string[]; args_truncated: boolean }

export interface Process {
  pid: number; entity_id: string; name: string; executable: string; args: string[];
  command_line: string; working_directory: string; start: string; thread_id: number;
  parent_pid: number; parent_entity_id: string; parent_executable: string; ancestors: Ancestor[];
  args_count: number; env_vars: string[]; exit_code: number; parent_args: string[]; parent_command_line: string;
  extensions: Fields | null;
}

export interface ProcessAction { exit_code: number; signal: number; child_pid: number; child_entity_id: string }

export interface FileAction {
  path: string; target_path: string; mode: string; owner_uid: string; owner_gid: string;
  size: number; flags: number; flag_names: string[];
}

export interface NetworkAction {
  transport: string; type: string; direction: string; source_ip: string; source_port: number;
  destination_ip: string; destination_port: number; destination_address: string;
  old_state: string; new_state: string;
}

export interface PrivilegeAction {
  target_uid: string; target_gid: string; target_pid: number; name: string; detail: string; args: number[];
}

export interface User { id: string; name: string; effective_id: string; group_id: string; effective_name: string; group_name: string }

export const PROCESS_ACTIONS = ['exec', 'fork', 'exit'] as const;
export const FILE_ACTIONS = [
  'open', 'create', 'unlink', 'rename', 'chmod', 'chown', 'link', 'symlink', 'truncate', 'mkdir', 'chdir',
] as const;
export const NETWORK_ACTIONS = ['connect', 'accept', 'bind', 'listen', 'socket', 'tcp_state'] as const;
export const PRIVILEGE_ACTIONS = [
  'setuid', 'setgid', 'capset', 'ptrace', 'module_load', 'module_unload', 'bpf', 'memfd_create',
  'mount', 'umount', 'unshare', 'setns', 'dup_stdio', 'set_name',
] as const;
export type EventActionCase =
  | (typeof PROCESS_ACTIONS)[number] | (typeof FILE_ACTIONS)[number]
  | (typeof NETWORK_ACTIONS)[number] | (typeof PRIVILEGE_ACTIONS)[number];

type ActionMembers =
  & { [K in (typeof PROCESS_ACTIONS)[number]]?: ProcessAction }
  & { [K in (typeof FILE_ACTIONS)[number]]?: FileAction }
  & { [K in (typeof NETWORK_ACTIONS)[number]]?: NetworkAction }
  & { [K in (typeof PRIVILEGE_ACTIONS)[number]]?: PrivilegeAction };

export interface EventCommon {
  action?: EventActionCase;   // oneof discriminator
  timestamp: string; id: string; host_name: string; outcome: EventOutcome;
  process: Process | null; user: User | null; container_id: string;
  ret: number; errno: string; truncated: boolean; repeat: number; json: string;
  kind: string; category: string[]; type: string[]; code: number; host_boot_id: string; container_runtime: string;
  cgroup_id: string; mnt_ns: number; pid_ns: number; loginuid: number; start_boottime_ns: string; ts_boot_ns: string;
  path_unresolved: boolean; no_task_context: boolean; extensions: Fields | null;
}
export type Event = EventCommon & ActionMembers;

export interface Alert {
  id: string; seq: number; global_seq: number; rule_id: string; rule_name: string; description: string;
  severity: Severity; technique_ids: string[]; tactic_names: string[]; host_id: string; hostname: string;
  timestamp: string; first_seen: string; last_seen: string; count: number;
  triggering_events: Event[]; process: Process | null; related_events: Event[]; json: string;
  rule_level: string; rule_tags: string[]; created: string; extensions: Fields | null;
}

export interface AgentHello {
  host_id: string; hostname: string; kernel: string; agent_version: string; capabilities: Capability[];
  protocol_major: number; protocol_minor: number;
}
export interface ServerHello {
  alert_seq: number; heartbeat_interval_ms: number; server_version: string; protocol_major: number; protocol_minor: number;
}
export interface Heartbeat {
  timestamp: string; events: number; drops: number; truncated: number; filtered: number;
  probes_attached: number; probes_failed: number; risky_trees: RiskyTree[];
}
export interface RiskyTree { entity_id: string; pid: number; executable: string; risk: number; summary: string }
export interface AlertBatch { first_seq: number; alerts: Alert[] }
export interface EventBatch { first_seq: number; events: Event[] }
export interface Ack { stream: AckStream; seq: number }

export interface QueryRequest {
  query_id: string; since: string; until: string; pid: number; entity_id: string; exe: string;
  path: string; dst: string; action: string; rule: string; limit: number; timeout_ms: number;
}
export interface QueryResult { query_id: string; rows: string[]; truncated: boolean; error: string; events: Event[] }

export interface ActionRequest {
  action_id: string; action: string; pid: number; path: string; isolation_id: string;
  alert_ids: string[]; comment: string; expires_ms: number; requested_by: string;
}
export interface ActionResult { action_id: string; ok: boolean; error: string; pids: number[]; ref: string; latency_ms: number }

export interface ExceptionMatch { field: string; values: string[] }
export interface RuleException { id: string; rule: string; match: ExceptionMatch[]; comment: string; expires_ms: number }
export interface ExceptionSet { exceptions: RuleException[] }

export interface EnvelopePayloads {
  hello: AgentHello; heartbeat: Heartbeat; alert_batch: AlertBatch; event_batch: EventBatch;
  query_result: QueryResult; server_hello: ServerHello; ack: Ack; query_request: QueryRequest;
  action_result: ActionResult; action_request: ActionRequest; exception_set: ExceptionSet;
}
export type EnvelopeCase = keyof EnvelopePayloads;

/** A decoded Envelope: exactly one payload member, named by `payload`. */
export type Envelope = { [K in EnvelopeCase]: { payload: K } & { [P in K]: EnvelopePayloads[K] } }[EnvelopeCase];

/** Every Envelope field at once (for the field table; decode returns Envelope). */
export interface EnvelopeFields {
  payload?: EnvelopeCase;
  hello?: AgentHello; heartbeat?: Heartbeat; alert_batch?: AlertBatch; event_batch?: EventBatch;
  query_result?: QueryResult; server_hello?: ServerHello; ack?: Ack; query_request?: QueryRequest;
  action_result?: ActionResult; action_request?: ActionRequest; exception_set?: ExceptionSet;
}

export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[]
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

/** What encode accepts: one payload member, any subset of its fields. */
export type EnvelopeInit = { [K in EnvelopeCase]: { [P in K]: DeepPartial<EnvelopePayloads[K]> } }[EnvelopeCase];

/** The message types of package vigil.v1, by name. */
export interface Messages {
  Value: Value; ValueList: ValueList; Field: Field; Fields: Fields;
  Ancestor: Ancestor; Process: Process; ProcessAction: ProcessAction; FileAction: FileAction;
  NetworkAction: NetworkAction; PrivilegeAction: PrivilegeAction; User: User; Event: Event; Alert: Alert;
  AgentHello: AgentHello; ServerHello: ServerHello; Heartbeat: Heartbeat; RiskyTree: RiskyTree; AlertBatch: AlertBatch;
  EventBatch: EventBatch; Ack: Ack; QueryRequest: QueryRequest; QueryResult: QueryResult;
  ActionRequest: ActionRequest; ActionResult: ActionResult; ExceptionMatch: ExceptionMatch; RuleException: RuleException;
  ExceptionSet: ExceptionSet; Envelope: EnvelopeFields;
}
export type MessageName = keyof Messages;
