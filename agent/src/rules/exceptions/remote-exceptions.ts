// The control plane's ExceptionSet, checked at the agent's edge like a file:
// an entry the agent would refuse in a file is logged and skipped.
import type { ExceptionSet } from '../../../../proto/src';
import { validateException, type RuleException } from './exception-file';

export const REMOTE_SOURCE = 'control-plane';

export function fromExceptionSet(set: ExceptionSet, warn: (id: string, reason: string) => void): RuleException[] {
  const out: RuleException[] = [];
  for (const x of set.exceptions ?? []) {
    try {
      out.push(validateException({
        id: x.id,
        rule: x.rule,
        match: Object.fromEntries((x.match ?? []).map((m) => [m.field, m.values])),
        ...(x.comment ? { comment: x.comment } : {}),
        ...(x.expires_ms ? { expires: new Date(x.expires_ms).toISOString() } : {}),
      }, REMOTE_SOURCE, x.id));
    } catch (err) {
      warn(x.id, (err as Error).message);
    }
  }
  return out;
}
