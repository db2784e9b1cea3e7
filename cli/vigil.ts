// `vigil` entry point: a thin composition root that belongs to neither side.
// The agent and the control plane each register their subcommands here;
// neither imports the other (test/architecture/import-boundaries.test.ts).
import { Command, CommanderError } from 'commander';
import { isAgentUserError, registerAgentCommands } from '../agent/src/cli';
import { registerControlPlaneCommands } from '../control-plane/src/cli';
import { dashboardExtension } from '../control-plane/src/ui/dashboard';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: eBPF host-security observability agent')
    .showHelpAfterError()
    .exitOverride();

  registerAgentCommands(program);
  registerControlPlaneCommands(program, { extendApp: dashboardExtension });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed help or the error message.
      process.exitCode = err.exitCode;
      return;
    }
    if (isAgentUserError(err)) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

if (require.main === module) void main();
