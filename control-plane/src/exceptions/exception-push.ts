// Sends each connected agent the exceptions for its host (ExceptionSet),
// on connect and after every change, so an exception made here silences the
// agent's next match without a restart or a rule-file edit.
import { EXCEPTIONS_SINCE, helloVersion, speaks, type AgentHello, type ExceptionSet } from '../../../proto/src';
import type { AgentRegistry } from '../agents/agent-registry';
import type { ExceptionStore, StoredException } from '../store/exception-store';

/** Wire id of a control-plane exception (the agent's own file exceptions use their file's name). */
export const wireId = (id: number): string => `cp-${id}`;

export function exceptionSet(list: StoredException[]): ExceptionSet {
  return {
    exceptions: list.map((x) => ({
      id: wireId(x.id),
      rule: x.rule,
      match: Object.entries(x.match).map(([field, values]) => ({ field, values })),
      comment: x.comment,
      expires_ms: x.expires_ms ?? 0,
    })),
  };
}

export interface ExceptionTarget {
  hostId: string | undefined;
  hello: AgentHello | undefined;
  send(env: { exception_set: ExceptionSet }): void;
}

/** Sends the host's set, to agents whose protocol has ExceptionSet (older ones would close on it). */
export function pushExceptions(session: ExceptionTarget, store: ExceptionStore): void {
  if (!session.hostId || !session.hello || !speaks(helloVersion(session.hello), EXCEPTIONS_SINCE)) return;
  session.send({ exception_set: exceptionSet(store.forHost(session.hostId)) });
}

/** After a change: every connected agent gets its new set (a host-scoped change reaches only that host). */
export function broadcastExceptions(registry: AgentRegistry, store: ExceptionStore, host: string | null): void {
  for (const hostId of host ? [host] : registry.hostIds()) {
    const s = registry.get(hostId);
    if (s) pushExceptions(s, store);
  }
}
