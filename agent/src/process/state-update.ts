// Applies one event to the model's state: fork/exec/exit shape the process
// table, dup-stdio tracks which stdio fds are network sockets, and file/net
// events feed the write tracker and the activity sets.
import type { EcsEvent } from '../model/ecs-event';
import type { ActivityTracker } from './activity';
import { dupStdio, forkChild, succeeded } from './event-fields';
import type { FileWriteTracker } from './file-writes';
import type { PipeIndex } from './pipelines';
import { newEntry, type ProcessEntry, type ProcessTable } from './process-table';

export interface ModelState {
  table: ProcessTable;
  activity: ActivityTracker;
  writes: FileWriteTracker;
  pipes: PipeIndex;
}

const INET = new Set(['AF_INET', 'AF_INET6']);

function entryFor(ev: EcsEvent, table: ProcessTable, atMs: number): ProcessEntry {
  const p = ev.process;
  const known = table.get(p.entity_id);
  if (known) {
    if (p.parent.pid > 0) known.ppid = p.parent.pid;
    return known;
  }
  // First sight of this process without its fork: whatever the event says.
  const parent = table.byPid(p.parent.pid);
  return table.put(newEntry({
    entityId: p.entity_id,
    pid: p.pid,
    ppid: p.parent.pid,
    parentEntityId: parent && parent.entityId !== p.entity_id ? parent.entityId : undefined,
    name: p.name,
    source: ev.event.action === 'exec' ? 'exec' : 'event',
    firstSeenMs: atMs,
  }));
}

function applyFork(ev: EcsEvent, parent: ProcessEntry, st: ModelState, atMs: number): string | undefined {
  const table = st.table;
  const child = forkChild(ev);
  if (!child) return undefined;
  const existing = table.peek(child.entity_id);
  if (existing) {
    table.setParent(existing, parent.entityId);
    return undefined;
  }
  // fork copies the image, cwd, fds: the child starts as its parent's twin.
  table.put(newEntry({
    entityId: child.entity_id,
    pid: child.pid,
    ppid: parent.pid,
    parentEntityId: parent.entityId,
    name: parent.name,
    executable: parent.executable,
    args: parent.args,
    cwd: parent.cwd,
    uid: parent.uid,
    cgroupPath: parent.cgroupPath,
    container: parent.container,
    stdioSockets: new Set(parent.stdioSockets),
    acceptedFds: parent.acceptedFds && new Set(parent.acceptedFds),
    pipeIn: parent.pipeIn,
    pipeOut: parent.pipeOut,
    source: 'fork',
    firstSeenMs: atMs,
  }));
  const entry = table.peek(child.entity_id);
  if (entry) st.pipes.inherit(entry);
  return child.entity_id;
}

/** Returns the entity this event brought into the table (a fork's child). */
export function applyEvent(ev: EcsEvent, st: ModelState, atMs: number): string | undefined {
  const entry = entryFor(ev, st.table, atMs);
  let created: string | undefined;
  switch (ev.event.action) {
    case 'exec':
      if (succeeded(ev)) {
        const p = ev.process;
        st.table.recordExec(entry, { executable: p.executable, args: p.args, cwd: p.working_directory, name: p.name, envVars: p.env_vars }, atMs);
      }
      break;
    case 'fork':
      created = applyFork(ev, entry, st, atMs);
      break;
    case 'exit':
      st.table.markExited(entry, atMs, ev.process.exit_code);
      break;
    case 'dup-stdio': {
      const d = dupStdio(ev);
      if (d && succeeded(ev) && d.newfd >= 0 && d.newfd <= 2) {
        if (d.file_type === 'socket' && d.family !== undefined && INET.has(d.family)) {
          entry.stdioSockets.add(d.newfd);
          // Servers (inetd, CGI) hand an accepted connection to stdio; a reverse shell, one it connected.
          const accepted = d.oldfd !== undefined && entry.acceptedFds?.has(d.oldfd) === true;
          (ev.vigil.dup as Record<string, unknown>).socket_origin = accepted ? 'accepted' : 'other';
          if (accepted) (entry.acceptedFds ??= new Set()).add(d.newfd);
          else entry.acceptedFds?.delete(d.newfd);
        } else entry.stdioSockets.delete(d.newfd);
        st.pipes.noteStdio(entry, d.newfd, d.file_type === 'pipe' ? d.pipeInode : undefined);
      }
      break;
    }
    case 'accept':
      if (succeeded(ev) && typeof ev.vigil.ret === 'number' && ev.vigil.ret >= 0) (entry.acceptedFds ??= new Set()).add(ev.vigil.ret);
      break;
    case 'connect':
      // The fd number now holds a socket this process connected (fd numbers are reused).
      if (typeof ev.vigil.fd === 'number') entry.acceptedFds?.delete(ev.vigil.fd as number);
      break;
    default:
      break;
  }
  // Before enrichment: the event may not carry its executable yet, the table does.
  st.writes.record(ev, atMs, ev.process.executable ?? entry.executable);
  st.activity.record(ev, atMs);
  return created;
}
