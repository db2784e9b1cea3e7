// The one event shape every consumer reads: JSONL output, rules, the local
// store and the control plane. Field names follow the Elastic Common Schema
// (ECS); Vigil-only data lives under `vigil`. Documented in docs/events.md.

export const EVENT_ACTIONS = [
  'exec', 'fork', 'exit',
  'open', 'create', 'unlink', 'rename', 'chmod', 'chown', 'link', 'symlink',
  'truncate', 'mkdir', 'chdir',
  'connect', 'accept', 'bind', 'listen', 'socket', 'tcp-state',
  'setuid', 'setgid', 'capset', 'ptrace', 'module-load', 'module-unload',
  'bpf', 'memfd-create', 'mount', 'umount', 'unshare', 'setns', 'dup-stdio', 'set-name',
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export type EventCategory = 'process' | 'file' | 'network' | 'iam' | 'host' | 'driver' | 'configuration';

export interface EcsAncestor {
  pid: number;
  entity_id: string;
  executable?: string;
  /** Capped at ANCESTOR_ARGS_MAX bytes (process-table.ts); full args are on its exec event. */
  args?: string[];
  args_truncated?: true;
}

export interface EcsProcess {
  pid: number;
  entity_id: string;
  name: string;                 // comm
  executable?: string;
  args?: string[];
  args_count?: number;
  command_line?: string;
  working_directory?: string;
  /** Watched variables of its environment, "NAME=value" (normalize/env-vars.ts). */
  env_vars?: string[];
  start?: string;               // ISO time the process started
  exit_code?: number;
  thread: { id: number };
  parent: { pid: number; entity_id?: string; executable?: string; args?: string[]; command_line?: string };
  ancestors?: EcsAncestor[];    // nearest first, up to pid 1 (filled by the process table)
}

export interface EcsEvent {
  '@timestamp': string;
  event: {
    kind: 'event' | 'alert';
    category: EventCategory[];
    type?: string[];
    action: EventAction;
    outcome?: 'success' | 'failure' | 'unknown';
    code?: number;              // vigil_event_type wire number
    id?: string;                // unique per event: entity_id + ts
  };
  process: EcsProcess;
  user: {
    id: string;
    name?: string;
    effective?: { id: string; name?: string };
    group?: { id: string; name?: string };
  };
  host: { name: string; boot?: { id: string } };
  file?: {
    path?: string;
    target_path?: string;
    mode?: string;              // octal, e.g. "0644"
    uid?: string;               // chown target
    gid?: string;
    size?: number;              // truncate length
  };
  source?: { ip?: string; port?: number };
  destination?: { ip?: string; port?: number; address?: string };
  network?: { transport?: string; type?: 'ipv4' | 'ipv6' | 'unix' | string; direction?: 'egress' | 'ingress' | 'listening' | 'unknown' };
  container?: { id: string; runtime?: string };
  vigil: {
    ret?: number;               // raw syscall return (or -errno)
    errno?: string;             // e.g. "ENOENT" when ret < 0
    flags?: number;             // open/unlink/... flags as passed
    flag_names?: string[];      // decoded open flags, e.g. ["O_WRONLY","O_CREAT"]
    truncated?: boolean;
    path_unresolved?: boolean;
    no_task_context?: boolean;
    repeat?: number;
    cgroup_id: string;
    mnt_ns: number;
    pid_ns: number;
    loginuid?: number;
    start_boottime_ns: string;
    ts_boot_ns: string;
    // Action-specific extras: syscall args that have no ECS home.
    [extra: string]: unknown;
  };
}
