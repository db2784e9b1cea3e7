// The .proto schema as a TS table: message -> field -> "[repeated ]type",
// plus "oneof" for a oneof discriminator. `satisfies` makes tsc reject a
// table whose keys differ from the interfaces in types.ts, and
// test/proto/drift.test.ts rejects a table that differs from the loaded
// .proto; together they keep .proto and TS types in step.
import type { Messages, MessageName } from './types';

type Table = { [M in MessageName]: { [K in keyof Required<Messages[M]>]: string } };

const PA = 'ProcessAction', FA = 'FileAction', NA = 'NetworkAction', PV = 'PrivilegeAction';

export const FIELD_TABLE = {
  Value: {
    kind: 'oneof', text: 'string', number: 'double', flag: 'bool', list: 'ValueList', object: 'Fields', is_null: 'bool',
  },
  ValueList: { items: 'repeated Value' },
  Field: { key: 'string', value: 'Value' },
  Fields: { fields: 'repeated Field' },
  Ancestor: { pid: 'uint32', entity_id: 'string', executable: 'string', args: 'repeated string', args_truncated: 'bool' },
  Process: {
    pid: 'uint32', entity_id: 'string', name: 'string', executable: 'string', args: 'repeated string',
    command_line: 'string', working_directory: 'string', start: 'string', thread_id: 'uint32',
    parent_pid: 'uint32', parent_entity_id: 'string', parent_executable: 'string', ancestors: 'repeated Ancestor',
    args_count: 'uint32', env_vars: 'repeated string', exit_code: 'int32', parent_args: 'repeated string',
    parent_command_line: 'string', extensions: 'Fields',
  },
  ProcessAction: { exit_code: 'int32', signal: 'int32', child_pid: 'uint32', child_entity_id: 'string' },
  FileAction: {
    path: 'string', target_path: 'string', mode: 'string', owner_uid: 'string', owner_gid: 'string',
    size: 'int64', flags: 'uint32', flag_names: 'repeated string',
  },
  NetworkAction: {
    transport: 'string', type: 'string', direction: 'string', source_ip: 'string', source_port: 'uint32',
    destination_ip: 'string', destination_port: 'uint32', destination_address: 'string',
    old_state: 'string', new_state: 'string',
  },
  PrivilegeAction: {
    target_uid: 'string', target_gid: 'string', target_pid: 'uint32', name: 'string', detail: 'string',
    args: 'repeated int64',
  },
  User: { id: 'string', name: 'string', effective_id: 'string', group_id: 'string', effective_name: 'string', group_name: 'string' },
  Event: {
    action: 'oneof',
    exec: PA, fork: PA, exit: PA,
    open: FA, create: FA, unlink: FA, rename: FA, chmod: FA, chown: FA, link: FA, symlink: FA,
    truncate: FA, mkdir: FA, chdir: FA,
    connect: NA, accept: NA, bind: NA, listen: NA, socket: NA, tcp_state: NA,
    setuid: PV, setgid: PV, capset: PV, ptrace: PV, module_load: PV, module_unload: PV, bpf: PV,
    memfd_create: PV, mount: PV, umount: PV, unshare: PV, setns: PV, dup_stdio: PV, set_name: PV,
    timestamp: 'string', id: 'string', host_name: 'string', outcome: 'EventOutcome', process: 'Process',
    user: 'User', container_id: 'string', ret: 'int64', errno: 'string', truncated: 'bool',
    repeat: 'uint32', json: 'string',
    kind: 'string', category: 'repeated string', type: 'repeated string', code: 'uint32', host_boot_id: 'string',
    container_runtime: 'string', cgroup_id: 'string', mnt_ns: 'uint64', pid_ns: 'uint64', loginuid: 'uint32',
    start_boottime_ns: 'string', ts_boot_ns: 'string', path_unresolved: 'bool', no_task_context: 'bool',
    extensions: 'Fields',
  },
  Alert: {
    id: 'string', seq: 'uint64', global_seq: 'uint64', rule_id: 'string', rule_name: 'string',
    description: 'string', severity: 'Severity', technique_ids: 'repeated string',
    tactic_names: 'repeated string', host_id: 'string', hostname: 'string', timestamp: 'string',
    first_seen: 'string', last_seen: 'string', count: 'uint32', triggering_events: 'repeated Event',
    process: 'Process', related_events: 'repeated Event', json: 'string',
    rule_level: 'string', rule_tags: 'repeated string', created: 'string', extensions: 'Fields',
  },
  AgentHello: {
    host_id: 'string', hostname: 'string', kernel: 'string', agent_version: 'string',
    capabilities: 'repeated Capability', protocol_major: 'uint32', protocol_minor: 'uint32',
  },
  ServerHello: {
    alert_seq: 'uint64', heartbeat_interval_ms: 'uint32', server_version: 'string',
    protocol_major: 'uint32', protocol_minor: 'uint32',
  },
  Heartbeat: {
    timestamp: 'string', events: 'uint64', drops: 'uint64', truncated: 'uint64', filtered: 'uint64',
    probes_attached: 'uint32', probes_failed: 'uint32', risky_trees: 'repeated RiskyTree',
  },
  RiskyTree: { entity_id: 'string', pid: 'uint32', executable: 'string', risk: 'uint32', summary: 'string' },
  AlertBatch: { first_seq: 'uint64', alerts: 'repeated Alert' },
  EventBatch: { first_seq: 'uint64', events: 'repeated Event' },
  Ack: { stream: 'AckStream', seq: 'uint64' },
  QueryRequest: {
    query_id: 'string', since: 'string', until: 'string', pid: 'uint32', entity_id: 'string', exe: 'string',
    path: 'string', dst: 'string', action: 'string', rule: 'string', limit: 'uint32', timeout_ms: 'uint32',
  },
  QueryResult: { query_id: 'string', rows: 'repeated string', truncated: 'bool', error: 'string', events: 'repeated Event' },
  ActionRequest: {
    action_id: 'string', action: 'string', pid: 'uint32', path: 'string', isolation_id: 'string',
    alert_ids: 'repeated string', comment: 'string', expires_ms: 'uint32', requested_by: 'string',
  },
  ActionResult: { action_id: 'string', ok: 'bool', error: 'string', pids: 'repeated uint32', ref: 'string', latency_ms: 'double' },
  ExceptionMatch: { field: 'string', values: 'repeated string' },
  RuleException: { id: 'string', rule: 'string', match: 'repeated ExceptionMatch', comment: 'string', expires_ms: 'uint64' },
  ExceptionSet: { exceptions: 'repeated RuleException' },
  Envelope: {
    payload: 'oneof', hello: 'AgentHello', heartbeat: 'Heartbeat', alert_batch: 'AlertBatch',
    event_batch: 'EventBatch', query_result: 'QueryResult', server_hello: 'ServerHello', ack: 'Ack',
    query_request: 'QueryRequest', action_result: 'ActionResult', action_request: 'ActionRequest',
    exception_set: 'ExceptionSet',
  },
} as const satisfies Table;

/** Enum name -> the TS const array of its value names (types.ts). */
export { EVENT_TYPES, EVENT_OUTCOMES, SEVERITIES, CAPABILITIES, ACK_STREAMS } from './types';
