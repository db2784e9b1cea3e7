// The wire protocol's version and its compatibility rule. Minor versions
// only add (new optional fields, new message types); a major version
// breaks. The control plane serves agents of its own major version that are
// at most one minor version behind, so a fleet can upgrade the control
// plane first and the agents after. An agent ahead of the control plane is
// refused, since it may send messages the control plane cannot read.
import { WireError } from './errors';

export interface ProtocolVersion { readonly major: number; readonly minor: number }

/**
 * 1.1 added AgentHello/ServerHello.protocol_major/minor. 1.2 added
 * ExceptionSet (control plane -> agent), sent only to agents at 1.2 or later.
 * 1.3 made Event and Alert typed (value.proto, the ecs-*-map.ts tables):
 * agents leave `json` empty; the control plane still reads it from 1.2.
 */
export const PROTOCOL_VERSION: ProtocolVersion = Object.freeze({ major: 1, minor: 3 });

/** True when an agent speaking `v` understands what `since` added. */
export const speaks = (v: ProtocolVersion, since: ProtocolVersion): boolean =>
  v.major === since.major && v.minor >= since.minor;

/** The version that added ExceptionSet. */
export const EXCEPTIONS_SINCE: ProtocolVersion = Object.freeze({ major: 1, minor: 2 });

/** The version an AgentHello declares; both fields zero is a 1.0 agent (they did not exist yet). */
export function helloVersion(hello: { protocol_major: number; protocol_minor: number }): ProtocolVersion {
  if (!hello.protocol_major && !hello.protocol_minor) return { major: 1, minor: 0 };
  return { major: hello.protocol_major, minor: hello.protocol_minor };
}

export const formatVersion = (v: ProtocolVersion): string => `${v.major}.${v.minor}`;

/** Throws PROTOCOL_VERSION unless an agent speaking `agent` may talk to a control plane speaking `server`. */
export function assertCompatible(agent: ProtocolVersion, server: ProtocolVersion = PROTOCOL_VERSION): void {
  const ok = agent.major === server.major && agent.minor <= server.minor && agent.minor >= server.minor - 1;
  if (!ok) {
    throw new WireError('PROTOCOL_VERSION',
      `agent speaks ${formatVersion(agent)}, control plane speaks ${formatVersion(server)} (accepts ${server.major}.${Math.max(0, server.minor - 1)}-${formatVersion(server)})`);
  }
}
