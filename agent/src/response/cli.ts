// `vigil respond`: the responses rules can ask for, by hand, for a
// responder on the host: kill-tree, suspend-tree (forensics), resume-tree.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EcsEvent } from '../model/ecs-event';
import { Responder } from './responder';

function pidArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 1) throw new InvalidArgumentError('a process id above 1');
  return n;
}

/** A target the Responder accepts: the pid as it is now (no start time to check against). */
const target = (pid: number): EcsEvent => ({ '@timestamp': new Date().toISOString(), process: { pid } } as unknown as EcsEvent);

export function registerRespondCommand(program: Command): Command {
  const respond = program.command('respond').description('act on a process tree now (root): kill-tree, suspend-tree, resume-tree');
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
        const r = new Responder().respond(action, target(o.pid));
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
  return respond;
}
