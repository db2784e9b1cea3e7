// Public surface of the agent -> control plane transport.
export { ControlPlaneClient, type ControlPlaneClientStats } from './control-plane-client';
export { agentUrl, controlPlaneUrls, type ControlPlaneClientOptions, type HeartbeatStats } from './client-options';
export { Outbox, DEFAULT_OUTBOX_MAX_ROWS, type OutboxOptions, type OutboxRow, type OutboxStats } from './outbox';
export { type AgentQuery, type QueryHandler, type QueryRequestFilters } from './query-responder';
export { storeQueryHandler, toQueryFilters } from './store-query-handler';
export { buildHello, readMachineId, agentVersion, DEFAULT_CAPABILITIES } from './host-identity';
export { TransportError, TransportConfigError, OutboxError, AlertDocError, TransportClosedError } from './errors';
