// `vigil` entry point: a thin composition root. Each subcommand lives with its
// feature and registers itself here through a register*(program) function.
import { Command, CommanderError } from 'commander';
import { registerAgent } from './agent/agent-command';
import { registerRulesCommands } from './rules/cli';
import { registerQueryCommand } from './query/cli';
import { registerRespondCommand, RespondError } from './response/cli';
import { registerBaselineCommands, BaselineCliError } from './baseline/cli';
import { BaselineConfigError, BaselineDbError, BaselineFileError } from './baseline';
import { registerControlPlaneCommands } from '../../control-plane/src/cli';
import { dashboardExtension } from '../../control-plane/src/ui/dashboard';
import { JsonlOpenError } from './output/jsonl-writer';
import { StoreError } from './store/errors';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: eBPF host-security observability agent')
    .showHelpAfterError()
    .exitOverride();

  registerAgent(program);
  registerRulesCommands(program);
  registerQueryCommand(program);
  registerRespondCommand(program);
  registerBaselineCommands(program);
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
    if (err instanceof JsonlOpenError || err instanceof StoreError || err instanceof BaselineDbError
      || err instanceof BaselineFileError || err instanceof BaselineConfigError || err instanceof BaselineCliError || err instanceof RespondError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

if (require.main === module) void main();
