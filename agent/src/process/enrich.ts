// Fills what the kernel event lacks from the model: the process image (for
// non-exec events), the parent and the ancestor chain, the container, and
// vigil.context (stdio sockets, freshness of the executable, outbound peers).
// Fields already present are never overwritten.
import type { EcsEvent } from '../model/ecs-event';
import type { ActivityTracker } from './activity';
import { containerFromCgroupPath, type CgroupResolver, type ContainerInfo } from './container';
import { commandLine } from './event-fields';
import type { FileWriteTracker } from './file-writes';
import type { PipeIndex } from './pipelines';
import type { ProcessEntry, ProcessTable } from './process-table';
import { scriptArg } from './script-arg';

export interface VigilContext {
  /** fd 0, 1 or 2 is an AF_INET/AF_INET6 socket (reverse-shell shape). */
  stdio_socket: boolean;
  /** Every stdio socket was accepted (inetd, CGI, a bind shell), none connected out. */
  stdio_socket_accepted?: true;
  /** The pipeline the exec'd process is in: command lines, first writer to last reader, and its own place. */
  pipeline?: { command_lines: string[]; position: number };
  /** exec only: ms since the executable's path was last written/created/renamed-into. */
  exec_written_ago_ms?: number;
  /** Executable of the process that wrote the exec'd file (with exec_written_ago_ms). */
  exec_written_by?: string;
  /** exec of an interpreter on a script file: ms since that script was last written. */
  script_written_ago_ms?: number;
  /** This process or its parent connected to an IP peer within the window. */
  recent_outbound?: boolean;
  /** Those peers, "ip:port" ("[ip]:port" for IPv6), bounded. */
  outbound_peers?: string[];
}

export interface EnrichDeps {
  table: ProcessTable;
  activity: ActivityTracker;
  writes: FileWriteTracker;
  pipes: PipeIndex;
  cgroups?: CgroupResolver;
  outboundWindowMs: number;
  maxPeers: number;
}

function currentParent(ev: EcsEvent, entry: ProcessEntry | undefined, table: ProcessTable): ProcessEntry | undefined {
  const lineage = entry ? table.parentOf(entry) : undefined;
  if (lineage && lineage.pid === ev.process.parent.pid) return lineage;
  const byPid = table.byPid(ev.process.parent.pid);
  return byPid && byPid.entityId !== ev.process.entity_id ? byPid : lineage;
}

/** The container of the event's cgroup; once known it is kept on the process entity too. */
function containerOf(ev: EcsEvent, entry: ProcessEntry | undefined, cgroups?: CgroupResolver): ContainerInfo | undefined {
  const path = ev.vigil.cgroup_id && cgroups ? cgroups.resolveFor(ev.vigil.cgroup_id, ev.process.pid) : undefined;
  if (path === undefined) return entry?.container;
  const c = containerFromCgroupPath(path);
  if (entry) {
    entry.cgroupPath = path;
    entry.container = c;
  }
  return c;
}

function outbound(ids: string[], deps: EnrichDeps, atMs: number): { recent: boolean; peers: string[] } {
  let recent = false;
  const peers = new Set<string>();
  for (const id of ids) {
    const last = deps.activity.get(id)?.lastOutboundMs;
    if (last !== undefined && atMs - last <= deps.outboundWindowMs) recent = true;
    for (const p of deps.activity.recentPeers(id, atMs, deps.outboundWindowMs)) peers.add(p);
  }
  return { recent, peers: [...peers].slice(-deps.maxPeers) };
}

export function enrich(ev: EcsEvent, deps: EnrichDeps, atMs: number): EcsEvent {
  const p = ev.process;
  const entry = deps.table.peek(p.entity_id);
  if (ev.event.action !== 'exec' && entry) {
    p.executable ??= entry.executable;
    p.args ??= entry.args;
    p.working_directory ??= entry.cwd;
    if (entry.envVars) p.env_vars ??= entry.envVars;
  }
  if (p.args) {
    p.args_count ??= p.args.length;
    p.command_line ??= commandLine(p.args);
  }

  const parent = currentParent(ev, entry, deps.table);
  if (parent) {
    p.parent.entity_id ??= parent.entityId;
    p.parent.executable ??= parent.executable;
    p.parent.args ??= parent.args;
    p.parent.command_line ??= commandLine(parent.args);
  }
  if (!p.ancestors) {
    // The fork-time lineage: it survives re-parenting, so a daemonised
    // process still shows who started it.
    if (entry) p.ancestors = deps.table.ancestors(entry.entityId);
    else if (parent) {
      const head = { pid: parent.pid, entity_id: parent.entityId, executable: parent.executable, args: parent.args };
      p.ancestors = [head, ...deps.table.ancestors(parent.entityId, deps.table.maxAncestors - 1)];
    }
  }

  if (!ev.container) {
    const c = containerOf(ev, entry, deps.cgroups);
    if (c) ev.container = { id: c.id, runtime: c.runtime };
  }

  if (ev.vigil.context === undefined) {
    const ctx: VigilContext = { stdio_socket: (entry?.stdioSockets.size ?? 0) > 0 };
    // Server side: every stdio socket is one this process (or its parent, before the fork) accepted.
    if (ctx.stdio_socket && [...entry!.stdioSockets].every((fd) => entry!.acceptedFds?.has(fd))) ctx.stdio_socket_accepted = true;
    if (ev.event.action === 'exec' && p.executable) {
      const ago = deps.writes.writtenAgo(p.executable, atMs);
      if (ago !== undefined) {
        ctx.exec_written_ago_ms = ago;
        const by = deps.writes.writtenBy(p.executable);
        if (by) ctx.exec_written_by = by;
      }
      const script = scriptArg(p.executable, p.args, p.working_directory);
      const scriptAgo = script === undefined ? undefined : deps.writes.writtenAgo(script, atMs);
      if (scriptAgo !== undefined) ctx.script_written_ago_ms = scriptAgo;
    }
    if (ev.event.action === 'exec' && entry) {
      const members = deps.pipes.members(entry, deps.table);
      if (members) {
        ctx.pipeline = {
          command_lines: members.map((m) => (m === entry ? p.command_line ?? commandLine(p.args ?? []) : commandLine(m.args ?? [m.executable ?? '?'])) ?? ""),
          position: members.indexOf(entry),
        };
      }
    }
    const ids = [p.entity_id];
    if (parent) ids.push(parent.entityId);
    const out = outbound(ids, deps, atMs);
    ctx.recent_outbound = out.recent;
    if (out.peers.length) ctx.outbound_peers = out.peers;
    ev.vigil.context = ctx;
  }
  return ev;
}
