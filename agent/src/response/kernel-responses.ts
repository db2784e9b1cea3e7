// The rules the kernel carries out itself at exec (bpf/lib/respond.h): a
// rule whose match the executable's name alone decides (exec-names.ts),
// whose every response is kill or kill-tree, and that no exception can
// silence (an exception is judged in user space, after the fact). The rest
// respond from user space, as before. The rate limit per rule holds in the
// kernel too.
import type { ExceptionSet } from '../rules/exceptions/exception-set';
import type { CompiledRule, CorrelationDef } from '../rules/types';

/** bpf/events.h VIGIL_RESPOND_RULES_MAX. */
export const KERNEL_RESPONSE_RULES_MAX = 256;

export interface KernelResponse {
  /** The rule's index in the kernel (its rate-limit slot, and `vigil.response.rule_index` on the exec event). */
  index: number;
  rule: string;
  action: 'kill' | 'kill-tree';
  perMinute: number;
  names: string[];
}

export interface KernelResponsePlan {
  entries: KernelResponse[];
  /** Response rules left to user space, and why. */
  userSpace: { rule: string; reason: string }[];
}

export function planKernelResponses(rules: readonly (CompiledRule | CorrelationDef)[], exceptions: ExceptionSet, perMinute: number): KernelResponsePlan {
  const plan: KernelResponsePlan = { entries: [], userSpace: [] };
  for (const r of rules) {
    const actions = r.meta.response;
    if (!actions?.length) continue;
    const rule = r.meta.id;
    const why = r.kind !== 'rule' ? 'a correlation' :
      actions.some((a) => a !== 'kill' && a !== 'kill-tree') ? `its response has ${actions.filter((a) => a !== 'kill' && a !== 'kill-tree').join(', ')}` :
      !r.execNames ? 'its match needs more than the executable\'s name (only Image|endswith \'/NAME\' is decided in the kernel)' :
      exceptions.forRule(r.meta).length ? 'it has exceptions' :
      plan.entries.length >= KERNEL_RESPONSE_RULES_MAX ? `over ${KERNEL_RESPONSE_RULES_MAX} rules` : undefined;
    if (why || r.kind !== 'rule' || !r.execNames) {
      plan.userSpace.push({ rule, reason: why ?? '' });
      continue;
    }
    plan.entries.push({ index: plan.entries.length, rule, action: actions.includes('kill-tree') ? 'kill-tree' : 'kill', perMinute, names: r.execNames });
  }
  return plan;
}

/** Control lines (agent/loader/respond.h). Names with a '/' or a line break cannot be file names and never get here. */
export function kernelResponseLines(entries: readonly KernelResponse[]): string[] {
  const ok = (n: string) => n.length > 0 && !/[/\n\r]/.test(n);
  return [
    'respond-begin',
    ...entries.flatMap((e) => e.names.filter(ok).map((n) => `respond ${e.index} ${e.action} ${e.perMinute} ${n}`)),
    'respond-commit',
  ];
}
