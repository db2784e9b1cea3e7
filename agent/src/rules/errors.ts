// Typed errors for rule loading. A rule problem is data ({file, line, reason}),
// never a crash: the loader collects them and keeps every good rule.

/** One rule that could not be loaded, pointing the author at the bad line. */
export interface RuleLoadError {
  file: string;
  line: number;
  reason: string;
}

/** Where in a YAML document a problem sits: keys/indices from the root. */
export type YamlPath = readonly (string | number)[];

/**
 * Thrown while compiling one rule document. `path` locates the offending
 * node so the loader can turn it into a line number.
 */
export class RuleSyntaxError extends Error {
  readonly code = 'VIGIL_ERR_RULE_SYNTAX';
  constructor(reason: string, readonly path: YamlPath = []) {
    super(reason);
    this.name = 'RuleSyntaxError';
  }
}

export function formatRuleError(e: RuleLoadError): string {
  return `${e.file}:${e.line}: ${e.reason}`;
}
