// The agent's half of the `vigil` command: its subcommands and the errors
// it reports as one line. The composition root that also mounts the control
// plane is cli/vigil.ts, so agent/ never imports control-plane/.
import type { Command } from 'commander';
import { registerAgent } from './agent/agent-command';
import { registerRulesCommands } from './rules/cli';
import { registerQueryCommand } from './query/cli';
import { registerRespondCommand, RespondError } from './response/cli';
import { registerBaselineCommands, BaselineCliError } from './baseline/cli';
import { BaselineConfigError, BaselineDbError, BaselineFileError } from './baseline';
import { JsonlOpenError } from './output/jsonl-writer';
import { StoreError } from './store/errors';

export function registerAgentCommands(program: Command): void {
  registerAgent(program);
  registerRulesCommands(program);
  registerQueryCommand(program);
  registerRespondCommand(program);
  registerBaselineCommands(program);
}

/** True for the agent errors whose message alone tells the user what to fix (exit 2, no stack). */
export function isAgentUserError(err: unknown): err is Error {
  return err instanceof JsonlOpenError || err instanceof StoreError || err instanceof BaselineDbError
    || err instanceof BaselineFileError || err instanceof BaselineConfigError || err instanceof BaselineCliError
    || err instanceof RespondError;
}
