// Public surface of the local event history.
export { EventStore, type EventStoreOptions, type EventStoreStats } from './event-store';
export { BackgroundEventStore, type BackgroundStoreOptions } from './background-store';
export { parseRetention, Retention, type RetentionPolicy, type PruneResult } from './retention';
export { openReadOnlyDb, openWritableDb, DEFAULT_DB_PATH } from './open-db';
export { SCHEMA_VERSION } from './schema';
export { StoreError, StoreConfigError, StoreSchemaError, StoreOpenError } from './errors';
export { parseDuration, parseSize, DURATION_FORMS, SIZE_FORMS } from './units';
export type { EcsAlert } from './event-row';
