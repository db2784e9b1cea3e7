// Sigma field names -> values of an EcsEvent. Names follow Sysmon for Linux
// (what SigmaHQ's linux rules use) plus Vigil extras; any dotted ECS path
// (`file.mode`, `vigil.ptrace.request`) resolves against the event directly.
// The table is documented in docs/rules.md: keep the two in step.
import type { EcsEvent } from '../model/ecs-event';
import { AUDITD_FIELDS } from './auditd-fields';

export type Getter = (ev: EcsEvent) => unknown;

const basename = (p: string | undefined): string | undefined =>
  p === undefined ? undefined : p.slice(p.lastIndexOf('/') + 1);
const joinArgs = (a: string[] | undefined): string | undefined => (a && a.length ? a.join(' ') : undefined);
const ctx = (ev: EcsEvent): Record<string, unknown> | undefined =>
  (ev.vigil?.context as Record<string, unknown> | undefined) ?? undefined;

export const FIELD_MAP: Readonly<Record<string, Getter>> = {
  Image: (ev) => ev.process?.executable,
  CommandLine: (ev) => ev.process?.command_line ?? joinArgs(ev.process?.args),
  OriginalFileName: (ev) => basename(ev.process?.executable),
  CurrentDirectory: (ev) => ev.process?.working_directory,
  User: (ev) => ev.user?.name ?? ev.user?.id,
  ProcessId: (ev) => ev.process?.pid,
  ProcessGuid: (ev) => ev.process?.entity_id,
  ParentImage: (ev) => ev.process?.parent?.executable,
  ParentCommandLine: (ev) => ev.process?.parent?.command_line ?? joinArgs(ev.process?.parent?.args),
  ParentProcessId: (ev) => ev.process?.parent?.pid,
  ParentProcessGuid: (ev) => ev.process?.parent?.entity_id,
  TargetFilename: (ev) => (ev.event?.action === 'rename' ? ev.file?.target_path ?? ev.file?.path : ev.file?.path),
  SourceFilename: (ev) => (ev.event?.action === 'rename' ? ev.file?.path : undefined),
  DestinationIp: (ev) => ev.destination?.ip,
  DestinationPort: (ev) => ev.destination?.port,
  DestinationHostname: (ev) => ev.destination?.address,
  SourceIp: (ev) => ev.source?.ip,
  SourcePort: (ev) => ev.source?.port,
  Initiated: (ev) => (ev.event?.action === 'connect' ? 'true' : ev.event?.action === 'accept' ? 'false' : undefined),
  Protocol: (ev) => ev.network?.transport,
  // Vigil extras
  Ancestors: (ev) => ev.process?.ancestors?.map((a) => a.executable).filter((x) => x !== undefined),
  AncestorCommandLines: (ev) => ev.process?.ancestors?.map((a) => joinArgs(a.args)).filter((x) => x !== undefined),
  Container: (ev) => ev.container?.id,
  Flags: (ev) => ev.vigil?.flag_names,
  Action: (ev) => ev.event?.action,
  Comm: (ev) => ev.process?.name,
  Uid: (ev) => ev.user?.id,
  Euid: (ev) => ev.user?.effective?.id,
  Gid: (ev) => ev.user?.group?.id,
  LoginUid: (ev) => ev.vigil?.loginuid,
  // Sysmon for Linux's LogonId is the session's audit login uid; SigmaHQ's linux rules compare it to 0.
  LogonId: (ev) => ev.vigil?.loginuid,
  Outcome: (ev) => ev.event?.outcome,
  Errno: (ev) => ev.vigil?.errno,
  ExitCode: (ev) => ev.process?.exit_code,
  StdioSocket: (ev) => ctx(ev)?.stdio_socket,
  ExecWrittenAgoMs: (ev) => ctx(ev)?.exec_written_ago_ms,
  ExecWrittenBy: (ev) => ctx(ev)?.exec_written_by,
  ScriptWrittenAgoMs: (ev) => ctx(ev)?.script_written_ago_ms,
  PipelineCommandLines: (ev) => (ctx(ev)?.pipeline as { command_lines?: string[] } | undefined)?.command_lines,
  RecentOutbound: (ev) => ctx(ev)?.recent_outbound,
  OutboundPeers: (ev) => ctx(ev)?.outbound_peers,
  Mode: (ev) => ev.file?.mode,
  Family: (ev) => ev.vigil?.family ?? ev.network?.type,
  SocketType: (ev) => ev.vigil?.socket_type,
  Syscall: (ev) => ev.vigil?.syscall ?? ev.vigil?.syscall_nr,
  Hostname: (ev) => ev.host?.name,
  /** Watched environment variables of the exec, "NAME=value" (normalize/env-vars.ts). */
  EnvVars: (ev) => ev.process?.env_vars,
  // Behavioural baseline (docs/baseline.md): absent while it learns.
  AnomalyScore: (ev) => (ev.vigil?.anomaly as { score?: number } | undefined)?.score,
  FirstSeen: (ev) => {
    const f = ev.vigil?.first_seen as Record<string, boolean> | undefined;
    return f ? Object.keys(f).filter((k) => f[k]) : undefined;
  },
  Timestamp: (ev) => ev['@timestamp'],
};

/** Resolve `a.b.c` against the event, walking plain objects only. */
export function pathGetter(path: string): Getter {
  const parts = path.split('.');
  return (ev) => {
    let cur: unknown = ev;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  };
}

/** Getter for a rule's field name, or undefined when the name is unknown. */
export function resolveField(name: string): Getter | undefined {
  if (Object.prototype.hasOwnProperty.call(FIELD_MAP, name)) return FIELD_MAP[name];
  if (Object.prototype.hasOwnProperty.call(AUDITD_FIELDS, name)) return AUDITD_FIELDS[name];
  if (name.includes('.') || name === '@timestamp') return pathGetter(name);
  return undefined;
}
