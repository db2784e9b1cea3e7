// `vigil rules check [dir]` and `vigil rules test <rule-file> <events.jsonl>`
// for rule authors. The lead wires registerRulesCommands() into cli.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EcsEvent } from '../model/ecs-event';
import { formatRuleError } from './errors';
import { loadRules } from './loader';
import { attackCoverage, coverageMarkdown, replaceCoverageBlock } from './coverage';
import { RuleSet } from './rule-set';
import type { RuleMatch } from './types';
import type { RuleException } from './exceptions/exception-file';
import { ExceptionSet } from './exceptions/exception-set';

export interface RulesIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: RulesIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

export const DEFAULT_RULES_DIR = 'rules';

/** Validate every rule under `dirs`. Returns the exit code: 0 clean, 1 errors. */
export function runRulesCheck(dirs: string[], io: RulesIo = stdio): number {
  const { rules, errors, exceptions } = loadRules(dirs);
  for (const e of errors) io.err(formatRuleError(e));
  for (const x of exceptions) io.out(`exception ${describeException(x)}`);
  const corr = rules.filter((r) => r.kind === 'correlation').length;
  io.out(`${rules.length} rules OK (${rules.length - corr} detection, ${corr} correlation), ${exceptions.length} exceptions, ${errors.length} errors`);
  return errors.length ? 1 : 0;
}

export function describeException(x: RuleException): string {
  const match = Object.entries(x.match).map(([f, v]) => `${f} in [${(v ?? []).join(', ')}]`).join(' and ');
  const until = x.expires_ms !== undefined ? ` until ${new Date(x.expires_ms).toISOString()}` : '';
  return `${x.id}: rule "${x.rule}" silenced when ${match}${until} (${x.source})${x.comment ? ` -- ${x.comment}` : ''}`;
}

function describe(m: RuleMatch, lines: Map<EcsEvent, number>): string {
  const r = m.rule;
  const kind = r.correlation ? `correlation ${r.correlation}` : 'rule';
  const from = m.events.map((e) => lines.get(e)).filter((n) => n !== undefined);
  const evs = r.correlation ? ` from events on lines ${from.join(', ')}` : '';
  const note = m.suppressed ? ' (feeds a correlation; no alert on its own)' : '';
  return `MATCH ${kind} "${r.title}" [${r.id}] level=${r.level}${evs}${note}`;
}

/**
 * Run the rules of `ruleFile` (plus rules under `include` dirs, for
 * correlations that refer to them) over a JSONL file of events and print
 * what matches. Returns 0, 1 when the rule file has errors, 2 on bad input.
 */
export function runRulesTest(ruleFile: string, eventsFile: string, io: RulesIo = stdio, include: string[] = []): number {
  const { rules, errors, exceptions } = loadRules([ruleFile, ...include]);
  for (const e of errors) io.err(formatRuleError(e));
  if (errors.length) return 1;
  const silenced = new ExceptionSet(exceptions);
  let text: string;
  try {
    text = readFileSync(eventsFile, 'utf8');
  } catch (e) {
    io.err(`cannot read events file: ${(e as Error).message}`);
    return 2;
  }
  const set = new RuleSet(rules);
  const lines = new Map<EcsEvent, number>();
  let events = 0;
  let matched = 0;
  const print = (ms: RuleMatch[], where: string): void => {
    for (const m of ms) {
      const exc = silenced.covering(m.rule, m.events[m.events.length - 1]);
      io.out(`${where}: ${describe(m, lines)}${exc ? ` (silenced by exception ${exc.id})` : ''}`);
    }
  };
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let ev: EcsEvent;
    try {
      ev = JSON.parse(raw) as EcsEvent;
    } catch {
      io.err(`${eventsFile}:${line}: not valid JSON, skipped`);
      return;
    }
    if (ev === null || typeof ev !== 'object' || typeof ev.event?.action !== 'string') {
      io.err(`${eventsFile}:${line}: no event.action, skipped`);
      return;
    }
    events++;
    lines.set(ev, line);
    const ms = set.evaluate(ev, { includeSuppressed: true });
    if (ms.length) matched++;
    print(ms, `${eventsFile}:${line}`);
  });
  // End of input closes every open correlation window.
  print(set.sweep(Number.MAX_SAFE_INTEGER, [], { includeSuppressed: true }), 'end of input');
  io.out(`${events} events, ${matched} matched, ${rules.length} rules`);
  return 0;
}

function runRulesCoverage(dirs: string[], update: string | undefined, io: RulesIo): number {
  const { rules, errors } = loadRules(dirs);
  for (const e of errors) io.err(formatRuleError(e));
  const table = coverageMarkdown(attackCoverage(rules));
  if (!update) {
    io.out(table);
    return errors.length ? 1 : 0;
  }
  writeFileSync(update, replaceCoverageBlock(readFileSync(update, 'utf8'), table));
  io.out(`updated the coverage table in ${update}`);
  return errors.length ? 1 : 0;
}

export function registerRulesCommands(program: Command): void {
  const rules = program.command('rules').description('check and test Sigma detection rules');
  rules
    .command('check')
    .argument('[dir...]', 'rule directories or files', [DEFAULT_RULES_DIR])
    .description('validate rules; prints file:line: reason for each bad rule')
    .action((dirs: string[]) => {
      process.exitCode = runRulesCheck(dirs);
    });
  rules
    .command('coverage')
    .argument('[dir...]', 'rule directories or files', [DEFAULT_RULES_DIR])
    .option('--update <file>', 'rewrite the table between the coverage markers of this file (docs/rules.md)')
    .description('ATT&CK techniques the rules name, with their tactics and rules, as a Markdown table')
    .action((dirs: string[], o: { update?: string }) => {
      process.exitCode = runRulesCoverage(dirs, o.update, stdio);
    });
  rules
    .command('test')
    .argument('<rule-file>', 'a Sigma rule file (may hold several documents)')
    .argument('<events>', 'events as JSON lines (vigil agent output)')
    .option('-I, --include <dir...>', 'extra rule directories, for correlations that refer to them', [])
    .description('print which events the rule matches')
    .action((ruleFile: string, eventsFile: string, o: { include: string[] }) => {
      process.exitCode = runRulesTest(ruleFile, eventsFile, stdio, o.include);
    });
}
