// Output for `vigil query`: an aligned table (default), JSON lines of the
// stored documents (--json), and the indented process tree (--tree).
import { LEVEL_SCORE } from '../alerts/threat';
import type { EcsEvent } from '../model/ecs-event';
import type { EcsAlert } from '../store/event-row';
import type { QueryRow } from './run-query';
import type { TreeNode, TreeResult } from './tree';

const EXE_WIDTH = 40;

/** The level name a severity score stands for (LEVEL_SCORE), as the dashboard shows it. */
function levelOf(severity: number | undefined): string {
  if (typeof severity !== 'number') return 'unknown';
  const hit = Object.entries(LEVEL_SCORE).find(([, v]) => v === severity);
  return hit ? hit[0] : `severity ${severity}`;
}

const time = (ts: number) => (Number.isFinite(ts) ? new Date(ts).toISOString() : '-');

function shortExe(exe: string | undefined): string {
  if (!exe) return '-';
  return exe.length <= EXE_WIDTH ? exe : `…${exe.slice(exe.length - EXE_WIDTH + 1)}`;
}

function hostPort(ip: string | undefined, port: number | undefined): string {
  if (!ip) return port === undefined ? '' : `:${port}`;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === undefined ? host : `${host}:${port}`;
}

/** One short human line describing what happened. */
export function detail(row: QueryRow): string {
  const d = row.doc;
  if (row.kind === 'alert') {
    const a = d as EcsAlert;
    const n = (a.vigil?.alert as { events?: unknown[] } | undefined)?.events?.length;
    const level = (a as { rule?: { level?: string } }).rule?.level ?? levelOf(a.event?.severity);
    return `[${level}] ${a.rule?.name ?? 'alert'} (${a.rule?.id ?? '?'}) id=${a.event?.id ?? '?'}${n ? ` events=${n}` : ''}`;
  }
  const parts: string[] = [];
  const action = d.event?.action;
  const p = d.process ?? ({} as EcsEvent['process']);
  if (action === 'exec') parts.push(p.command_line ?? p.args?.join(' ') ?? p.executable ?? '');
  else if (action === 'fork') parts.push(`parent=${p.parent?.pid ?? '?'}`);
  else if (action === 'exit') parts.push(`code=${p.exit_code ?? '?'}`);
  if (d.file?.path) parts.push(d.file.target_path ? `${d.file.path} -> ${d.file.target_path}` : d.file.path);
  if (d.file?.mode) parts.push(`mode=${d.file.mode}`);
  if (d.destination?.ip || d.source?.ip) {
    const ingress = d.network?.direction === 'ingress';
    const remote = ingress ? d.source : d.destination;
    parts.push(`${ingress ? '<-' : '->'} ${hostPort(remote?.ip, remote?.port)}`);
  }
  if (d.event?.outcome === 'failure') parts.push(`[failed${d.vigil?.errno ? ` ${d.vigil.errno}` : ''}]`);
  return parts.filter(Boolean).join(' ');
}

function columns(row: QueryRow): string[] {
  const action = row.kind === 'alert' ? 'ALERT' : row.doc.event?.action ?? '?';
  return [time(row.ts), action, String(row.doc.process?.pid ?? '-'), row.doc.process?.entity_id ?? '-', shortExe(row.doc.process?.executable), detail(row)];
}

function align(lines: string[][]): string[] {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

export function formatTable(rows: QueryRow[]): string {
  if (rows.length === 0) return 'no matching events';
  return align([['TIME', 'ACTION', 'PID', 'ENTITY', 'EXE', 'DETAIL'], ...rows.map(columns)]).join('\n');
}

export function formatJsonLines(rows: QueryRow[]): string {
  return rows.map((r) => JSON.stringify(r.doc)).join('\n');
}

/** --tree --json: the tree's ECS documents, one per line, process by process (pre-order), oldest first within each. */
export function formatTreeJsonLines(t: TreeResult): string {
  const out: string[] = [];
  const walk = (n: TreeNode) => {
    for (const r of n.events) out.push(JSON.stringify(r.doc));
    n.children.forEach(walk);
  };
  walk(t.root);
  return out.join('\n');
}

function nodeLabel(n: TreeNode): string {
  const cmd = n.commandLine && n.commandLine !== n.executable ? `  ${n.commandLine}` : '';
  return `${n.executable ?? '?'} [pid ${n.pid ?? '?'}] (${n.entityId})${cmd}`;
}

/** Indented subtree: each process, its activity beneath it, then its children. */
export function formatTree(t: TreeResult): string {
  const out: string[] = [nodeLabel(t.root)];
  const walk = (n: TreeNode, prefix: string) => {
    const events = align(n.events.length ? n.events.map((r) => {
      const [ts, action, , , , det] = columns(r);
      return [ts, action, det];
    }) : [['']]);
    for (const line of n.events.length ? events : []) out.push(`${prefix}${n.children.length ? '│ ' : '  '}  ${line}`);
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${nodeLabel(c)}`);
      walk(c, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(t.root, '');
  if (t.truncated) out.push('(tree truncated: too many or too deep descendants)');
  if (t.timedOut) out.push('(query timed out: partial tree)');
  return out.join('\n');
}
