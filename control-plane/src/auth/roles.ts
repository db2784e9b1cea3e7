// Which token roles may use what. admin can do everything a responder can,
// a responder everything a viewer can; agent tokens only open /v1/agent.
import type { Role } from '../store/token-store';

export const ACCESS = {
  agentSocket: ['agent'],
  read: ['viewer', 'responder', 'admin'],       // agents, alerts, alert stream
  query: ['responder', 'admin'],                // POST /v1/query
  respond: ['responder', 'admin'],              // POST /v1/agents/:id/actions, GET /v1/audit
  tokens: ['admin'],                            // /v1/tokens
} as const satisfies Record<string, readonly Role[]>;

export type Access = keyof typeof ACCESS;
