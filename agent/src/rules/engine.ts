// Holds the current RuleSet and swaps it on reload. JS runs one event at a
// time, so reading `this.current` once per evaluate() means an event is
// judged wholly by the old set or wholly by the new one. Reload triggers:
// reload(), SIGHUP, and (debounced) changes under the rule directories.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import type { EcsEvent } from '../model/ecs-event';
import { formatRuleError, type RuleLoadError } from './errors';
import { findRuleFiles, loadRules } from './loader';
import { RuleSet, type EvaluateOptions } from './rule-set';
import type { RuleMatch } from './types';

/** The pino methods we use; any pino logger fits. */
export interface RulesLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RuleEngineOptions {
  dirs: string[];
  logger?: RulesLogger;
  /** Reload when files under `dirs` change (default true, see start()). */
  watch?: boolean;
  /** Reload on SIGHUP (default true, see start()). */
  sighup?: boolean;
  debounceMs?: number;
}

export interface ReloadResult {
  rules: number;
  errors: RuleLoadError[];
}

const silent: RulesLogger = { info() {}, warn() {}, error() {} };

export class RuleEngine extends EventEmitter {
  private current: RuleSet;
  private readonly log: RulesLogger;
  private watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private readonly onHup = (): void => {
    this.log.info({ signal: 'SIGHUP' }, 'reloading rules');
    this.reload();
  };
  /** Errors of the last load, for status reporting. */
  lastErrors: RuleLoadError[] = [];

  constructor(private readonly opts: RuleEngineOptions) {
    super();
    this.log = opts.logger ?? silent;
    this.current = new RuleSet([]);
    this.reload();
  }

  get ruleSet(): RuleSet {
    return this.current;
  }

  evaluate(ev: EcsEvent, opts?: EvaluateOptions): RuleMatch[] {
    return this.current.evaluate(ev, opts);
  }

  /** Build a new set from disk and swap it in; bad rules are reported and skipped. */
  reload(): ReloadResult {
    const { rules, errors } = loadRules(this.opts.dirs);
    this.current = new RuleSet(rules, this.current);
    this.lastErrors = errors;
    for (const e of errors) this.log.warn({ file: e.file, line: e.line }, `rule skipped: ${formatRuleError(e)}`);
    this.log.info({ rules: rules.length, errors: errors.length }, 'rules loaded');
    const result = { rules: rules.length, errors };
    this.emit('reload', result);
    return result;
  }

  /** Start watching the rule directories and listening for SIGHUP. */
  start(): this {
    if (this.opts.sighup !== false) process.on('SIGHUP', this.onHup);
    if (this.opts.watch !== false) this.watchDirs();
    return this;
  }

  private schedule = (): void => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.log.info({}, 'rule files changed, reloading');
      this.reload();
    }, this.opts.debounceMs ?? 250);
    this.timer.unref();
  };

  private watchDirs(): void {
    for (const dir of this.opts.dirs) {
      try {
        this.watchers.push(watch(dir, { recursive: true, persistent: false }, this.schedule));
      } catch {
        // recursive watch unsupported or dir missing: watch each directory found
        const dirs = new Set(findRuleFiles(dir, []).map((f) => f.slice(0, f.lastIndexOf('/'))));
        dirs.add(dir);
        for (const d of dirs) {
          try {
            this.watchers.push(watch(d, { persistent: false }, this.schedule));
          } catch (e) {
            this.log.warn({ dir: d, err: (e as Error).message }, 'cannot watch rule directory; use SIGHUP to reload');
          }
        }
      }
    }
    for (const w of this.watchers) w.on('error', (e) => this.log.warn({ err: e.message }, 'rule watcher failed'));
  }

  close(): void {
    process.off('SIGHUP', this.onHup);
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
