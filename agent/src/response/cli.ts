// `vigil respond`: the responses rules can ask for, by hand, for a
// responder on the host: kill-tree, suspend-tree (forensics), resume-tree.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { pidTarget, Responder } from './responder';
import { ResponseDb } from './response-db';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_DB_PATH } from '../store/open-db';
import { DURATION_FORMS, parseDuration } from '../store/units';

const ASK_TIMEOUT_MS = 5000;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export class RespondError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespondError';
  }
}

function pidArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 1) throw new InvalidArgumentError('a process id above 1');
  return n;
}


export function registerRespondCommand(program: Command): Command {
  const respond = program.command('respond').description('act on a process tree (root): kill-tree, suspend-tree, resume-tree now; isolate-tree, release, isolations through the running agent; audit');
  const report = (what: string, pids: number[], ok: boolean, error?: string): void => {
    if (ok) process.stdout.write(`${what}: ${pids.length} process(es): ${pids.join(' ')}\n`);
    else {
      process.stderr.write(`vigil respond: ${what} failed: ${error ?? 'unknown error'}\n`);
      process.exitCode = 1;
    }
  };
  for (const action of ['kill-tree', 'suspend-tree'] as const) {
    respond.command(action).requiredOption('--pid <pid>', 'the root process', pidArg)
      .description(action === 'kill-tree' ? 'stop the process and every descendant, then SIGKILL them all' : 'SIGSTOP the process and every descendant')
      .action((o: { pid: number }) => {
        const r = new Responder().respond(action, pidTarget(o.pid));
        report(action, r.pids, r.ok, r.error);
      });
  }
  respond.command('resume-tree').requiredOption('--pid <pid>', 'the root process', pidArg)
    .description('SIGCONT the process and every descendant (after suspend-tree)')
    .action((o: { pid: number }) => {
      try {
        report('resume-tree', new Responder().resumeTree(o.pid), true);
      } catch (err) {
        report('resume-tree', [], false, (err as Error).message);
      }
    });
  registerAgentRespondCommands(respond);
  return respond;
}

/** Actions only the running agent can take (it owns the loader): asked through its database. */
export function registerAgentRespondCommands(respond: Command): void {
  const ask = async (db: string, action: string, target: Record<string, unknown>, comment?: string): Promise<Record<string, unknown>> => {
    const rdb = new ResponseDb(db);
    try {
      const id = rdb.request(action, target, userInfo().username, comment);
      for (const end = Date.now() + ASK_TIMEOUT_MS; Date.now() < end; await sleep(20)) {
        const o = rdb.outcome(id);
        if (o && o.state !== 'pending') return JSON.parse(o.result ?? '{}') as Record<string, unknown>;
      }
      rdb.finish(id, false, { ok: false, error: 'no running agent picked it up' });
      throw new RespondError(`no running agent answered within ${ASK_TIMEOUT_MS / 1000} s: is \`vigil agent --db ${db}\` running?`);
    } finally {
      rdb.close();
    }
  };
  const fail = (what: string, r: Record<string, unknown>): void => {
    process.stderr.write(`vigil respond: ${what} failed: ${String(r.error ?? 'unknown error')}\n`);
    process.exitCode = 1;
  };
  respond.command('isolate-tree').requiredOption('--pid <pid>', 'the root process', pidArg)
    .description('cut the process and every descendant off the network (loopback and the allow-list stay), through the running agent')
    .option('--expires <duration>', 'release by itself after this long, e.g. 1h')
    .option('--comment <text>', 'why (kept in the audit log)')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { pid: number; expires?: string; comment?: string; db: string }) => {
      const expiresMs = o.expires === undefined ? undefined : parseDuration(o.expires);
      if (o.expires !== undefined && expiresMs === undefined) throw new RespondError(`bad --expires '${o.expires}': give ${DURATION_FORMS}`);
      const r = await ask(o.db, 'isolate-tree', { pid: o.pid, expires_ms: expiresMs }, o.comment);
      if (r.ok) process.stdout.write(`isolated ${(r.pids as number[]).length} process(es) as ${String(r.id)} in ${Number(r.latency_ms).toFixed(1)} ms: ${(r.pids as number[]).join(' ')}\n`);
      else fail('isolate-tree', r);
    });
  respond.command('isolate-host')
    .description('cut the whole host off the network except loopback, the control plane and the allow-list, through the running agent')
    .option('--expires <duration>', 'release by itself after this long, e.g. 1h')
    .option('--comment <text>', 'why (kept in the audit log)')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { expires?: string; comment?: string; db: string }) => {
      const expiresMs = o.expires === undefined ? undefined : parseDuration(o.expires);
      if (o.expires !== undefined && expiresMs === undefined) throw new RespondError(`bad --expires '${o.expires}': give ${DURATION_FORMS}`);
      const r = await ask(o.db, 'isolate-host', { expires_ms: expiresMs }, o.comment);
      if (r.ok) process.stdout.write(`host isolated as ${String(r.id)} in ${Number(r.latency_ms).toFixed(1)} ms; end it with: vigil respond release --id ${String(r.id)}\n`);
      else fail('isolate-host', r);
    });
  respond.command('release').requiredOption('--id <id>', 'the isolation (from isolate-tree or isolate-host, or `vigil respond isolations`)')
    .description('end a network isolation: the processes get their network back')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { id: string; db: string }) => {
      const r = await ask(o.db, 'release', { id: o.id });
      if (r.ok) process.stdout.write(`released ${o.id}: ${(r.pids as number[]).length} process(es) back on the network\n`);
      else fail('release', r);
    });
  respond.command('isolations').description('list the live network isolations')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { db: string }) => {
      const r = await ask(o.db, 'isolations', {});
      for (const i of (r.isolations as { id: string; rootPid: number; moved: unknown[]; since: number; reason: string }[]) ?? []) {
        process.stdout.write(`${i.id}  root pid ${i.rootPid}  ${i.moved.length} process(es)  since ${new Date(i.since).toISOString()}  ${i.reason}\n`);
      }
    });
  respond.command('quarantine').requiredOption('--path <file>', 'the file to take away')
    .description('move a file into the root-only quarantine (metadata and SHA-256 kept); any exec of that content is killed from now on')
    .option('--comment <text>', 'why (kept in the audit log)')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { path: string; comment?: string; db: string }) => {
      const r = await ask(o.db, 'quarantine-file', { path: resolve(o.path) }, o.comment);
      const e = r.entry as { id: number; sha256: string; stored_path: string } | undefined;
      if (r.ok && e) process.stdout.write(`quarantined ${resolve(o.path)} as id ${e.id} (sha256 ${e.sha256}) in ${e.stored_path}\n`);
      else fail('quarantine', r);
    });
  respond.command('restore').requiredOption('--id <n>', 'the quarantine id (from `vigil respond quarantined`)')
    .description('put a quarantined file back exactly where and as it was, and stop blocking its content')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { id: string; db: string }) => {
      const r = await ask(o.db, 'restore-file', { id: Number(o.id) });
      const e = r.entry as { original_path: string } | undefined;
      if (r.ok && e) process.stdout.write(`restored ${e.original_path}\n`);
      else fail('restore', r);
    });
  respond.command('quarantined').description('the files in quarantine now')
    .option('--db <path>', 'the running agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { db: string }) => {
      const r = await ask(o.db, 'quarantined', {});
      for (const f of (r.files as { id: number; original_path: string; sha256: string; quarantined_at: number; reason: string | null }[]) ?? []) {
        process.stdout.write(`${f.id}  ${f.original_path}  sha256 ${f.sha256}  since ${new Date(f.quarantined_at).toISOString()}  ${f.reason ?? ''}\n`);
      }
    });
  respond.command('audit').description('every response taken on this host, newest first')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'JSON lines')
    .action((o: { db: string; limit: string; json?: boolean }) => {
      const rdb = new ResponseDb(o.db);
      try {
        for (const r of rdb.auditRows(Number(o.limit) || 50)) {
          if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else process.stdout.write(`${new Date(r.ts).toISOString()}  ${r.action}  ${r.ok ? 'ok' : `FAILED: ${r.error}`}  by ${r.requested_by}  target ${r.target}  pids ${r.pids ?? '-'}${r.ref ? `  ref ${r.ref}` : ''}  ${r.reason ?? ''}\n`);
        }
      } finally {
        rdb.close();
      }
    });
}
