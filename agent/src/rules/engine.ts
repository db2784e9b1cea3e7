// Holds the current RuleSet and swaps it on reload. JS runs one event at a
// time, so reading `this.current` once per evaluate() means an event is
// judged wholly by the old set or wholly by the new one. Reload triggers:
// reload(), SIGHUP, and (debounced) changes under the rule directories.
// Changes are seen by inotify on every rule directory (not on files: a file
// replaced by rename, as editors, `mv` and ConfigMap swaps do, is a new
// inode) and, as a backstop, by a poll of the files' identity.
import { EventEmitter } from 'node:events';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { EcsEvent } from '../model/ecs-event';
import { formatRuleError, type RuleLoadError } from './errors';
import { findRuleFiles, loadRules, type LoadedRule } from './loader';
import { RuleSet, type EvaluateOptions } from './rule-set';
import type { RuleMatch, RuleMeta } from './types';
import { ExceptionSet } from './exceptions/exception-set';
import type { RuleException } from './exceptions/exception-file';

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
  /** Backstop poll of the rule files (ms, default 2000; 0: off). */
  pollMs?: number;
}

export interface ReloadResult {
  rules: number;
  errors: RuleLoadError[];
  /** Files that failed and still run their last good version. */
  kept: string[];
}

/** Emitted as 'rule-error' when a file that was live stops loading (once per distinct error). */
export interface LiveRuleError extends RuleLoadError {
  /** Its last good version is still what runs. */
  kept: boolean;
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
  private lastGood = new Map<string, LoadedRule[]>();
  private reported = new Map<string, string>();
  private poll?: NodeJS.Timeout;
  private fingerprint = '';
  private fileExceptions: RuleException[] = [];
  private remoteExceptions: RuleException[] = [];
  private exceptionSet = new ExceptionSet();
  /** Matches an exception silenced (docs/rules.md, Exceptions). */
  suppressedByException = 0;

  constructor(private readonly opts: RuleEngineOptions) {
    super();
    this.log = opts.logger ?? silent;
    this.current = new RuleSet([]);
    this.reload();
  }

  get ruleSet(): RuleSet {
    return this.current;
  }

  get exceptions(): ExceptionSet {
    return this.exceptionSet;
  }

  /** Rule matches, minus those an exception covers (judged on the match's last event). */
  evaluate(ev: EcsEvent, opts?: EvaluateOptions): RuleMatch[] {
    const matches = this.current.evaluate(ev, opts);
    if (matches.length === 0 || this.exceptionSet.size === 0) return matches;
    return matches.filter((m) => !this.excepted(m.rule, m.events[m.events.length - 1]));
  }

  /** True (and counted) when an exception silences `rule` for `ev`; the anomaly alert asks this too. */
  excepted(rule: Pick<RuleMeta, 'id' | 'title'>, ev: EcsEvent | undefined): boolean {
    const exc = this.exceptionSet.covering(rule, ev);
    if (!exc) return false;
    this.suppressedByException++;
    return true;
  }

  /** Exceptions managed by the control plane: they join the files' exceptions until replaced. */
  setRemoteExceptions(list: RuleException[]): void {
    this.remoteExceptions = list;
    this.exceptionSet = new ExceptionSet([...this.fileExceptions, ...list]);
    this.log.info({ exceptions: this.exceptionSet.size, remote: list.length }, 'exceptions updated');
    this.emit('exceptions');
  }

  /**
   * Build a new set from disk and swap it in. Bad rules are reported and
   * skipped; a file that was live and now fails keeps running its last good
   * version and is reported once as 'rule-error' (kept: true).
   */
  reload(): ReloadResult {
    const { rules, errors, good, kept, exceptions } = loadRules(this.opts.dirs, this.lastGood);
    this.current = new RuleSet(rules, this.current);
    this.fileExceptions = exceptions;
    this.exceptionSet = new ExceptionSet([...exceptions, ...this.remoteExceptions]);
    for (const [file, r] of good) this.lastGood.set(file, r);
    for (const file of [...this.lastGood.keys()]) if (!good.has(file) && !kept.includes(file)) this.lastGood.delete(file);
    this.lastErrors = errors;
    for (const e of errors) {
      const keptFile = kept.includes(e.file);
      this.log.warn({ file: e.file, line: e.line }, `${keptFile ? 'rule file broken, its last good version still runs' : 'rule skipped'}: ${formatRuleError(e)}`);
    }
    const now = new Map<string, string>();
    for (const e of errors) {
      if (!kept.includes(e.file) || now.has(e.file)) continue;
      const sig = formatRuleError(e);
      now.set(e.file, sig);
      if (this.reported.get(e.file) !== sig) this.emit('rule-error', { ...e, kept: true } satisfies LiveRuleError);
    }
    this.reported = now;
    this.log.info({ rules: rules.length, exceptions: this.exceptionSet.size, errors: errors.length, kept: kept.length }, 'rules loaded');
    const result = { rules: rules.length, errors, kept };
    this.emit('reload', result);
    if (this.watchers.length) this.watchDirs(); // directories may have come or gone
    this.fingerprint = this.filesFingerprint();
    return result;
  }

  /** Start watching the rule directories and listening for SIGHUP. */
  start(): this {
    if (this.opts.sighup !== false) process.on('SIGHUP', this.onHup);
    if (this.opts.watch !== false) {
      this.watchDirs();
      const every = this.opts.pollMs ?? 2000;
      if (every > 0) {
        this.fingerprint = this.filesFingerprint();
        this.poll = setInterval(() => { if (this.filesFingerprint() !== this.fingerprint) this.schedule(); }, every);
        this.poll.unref();
      }
    }
    return this;
  }

  /** Path, inode, size and mtime of every rule file: what any way of replacing or editing one changes. */
  private filesFingerprint(): string {
    const parts: string[] = [];
    for (const dir of this.opts.dirs) {
      for (const f of findRuleFiles(dir, [], 'both')) {
        try {
          const st = statSync(f);
          parts.push(`${f}:${st.ino}:${st.size}:${st.mtimeMs}`);
        } catch {
          parts.push(`${f}:gone`);
        }
      }
    }
    return parts.join('|');
  }

  private schedule = (): void => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.log.info({}, 'rule files changed, reloading');
      this.reload();
    }, this.opts.debounceMs ?? 250);
    this.timer.unref();
  };

  /** One non-recursive inotify watch per rule directory: it reports every create, rename and write inside. */
  private watchDirs(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    const dirs = new Set<string>();
    for (const dir of this.opts.dirs) {
      let isDir = false;
      try { isDir = statSync(dir).isDirectory(); } catch { /* missing: reported by the loader */ }
      dirs.add(isDir ? dir : dirname(dir));
      for (const f of findRuleFiles(dir, [], 'both')) dirs.add(dirname(f));
    }
    for (const d of dirs) {
      try {
        const w = watch(d, { persistent: false }, this.schedule);
        w.on('error', (e) => this.log.warn({ dir: d, err: e.message }, 'rule watcher failed; the poll still reloads'));
        this.watchers.push(w);
      } catch (e) {
        this.log.warn({ dir: d, err: (e as Error).message }, 'cannot watch rule directory; the poll (or SIGHUP) reloads');
      }
    }
  }

  close(): void {
    process.off('SIGHUP', this.onHup);
    clearTimeout(this.timer);
    clearInterval(this.poll);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
