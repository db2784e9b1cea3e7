// WebSocket close codes of the agent and feed sockets (documented in
// docs/api.md). 4xxx mirror the HTTP status they correspond to.
export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,          // server shutting down
  TOO_BIG: 1009,             // frame over maxPayload (sent by ws itself)
  BAD_FRAME: 4400,           // undecodable / unverifiable frame, text frame on the agent socket, no hello first
  UNAUTHENTICATED: 4401,     // missing, unknown or revoked token
  FORBIDDEN: 4403,           // token role may not use this socket
  SLOW_SUBSCRIBER: 4408,     // feed subscriber fell too far behind
  PROTOCOL_VIOLATION: 4409,  // unknown message type, second hello, message not allowed for agents, wrong host
  SUPERSEDED: 4410,          // a newer connection for the same host_id replaced this one
  HEARTBEAT_TIMEOUT: 4411,   // no frame for 3 heartbeat intervals
  PROTOCOL_VERSION: 4426,
  BACKBONE_UNAVAILABLE: 4503, // --nats: JetStream unreachable; nothing unacked was stored, reconnect and resend    // AgentHello's protocol version is outside what the control plane accepts
  INTERNAL: 1011,
} as const;

/** Close reasons must fit in a 123-byte control frame. */
export function closeReason(text: string): string {
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= 123 ? text : buf.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '') + '...';
}
