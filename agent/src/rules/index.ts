// Public surface of the Sigma rule engine.
export { loadRules, type LoadedRule, type LoadResult } from './loader';
export { RuleEngine, type RuleEngineOptions, type RulesLogger, type ReloadResult, type LiveRuleError } from './engine';
export { RuleSet, type EvaluateOptions } from './rule-set';
export { formatRuleError, type RuleLoadError } from './errors';
export { CATEGORIES } from './logsource';
export { FIELD_MAP } from './field-map';
export type { RuleMatch, RuleMeta, SigmaLevel, CorrelationType, CompiledRule, CorrelationDef } from './types';
