// The JetStream streams of --nats mode, their subjects and limits.
// Alerts are kept (limits only guard the disk); events and heartbeats are
// telemetry with an age and a size cap. Subjects carry the host id as the
// last token(s), so a tenant or host filter is a subject filter.
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';

export const ALERTS_STREAM = 'VIGIL_ALERTS';
export const EVENTS_STREAM = 'VIGIL_EVENTS';
export const HEARTBEATS_STREAM = 'VIGIL_HEARTBEATS';

export const alertSubject = (hostId: string): string => `vigil.alerts.${hostId}`;
/** Triage and exception changes share the alerts' stream (one order); `$` is in no host id. */
export const changeSubject = (): string => 'vigil.alerts.$changes';
export const eventSubject = (hostId: string): string => `vigil.events.${hostId}`;
export const heartbeatSubject = (hostId: string): string => `vigil.heartbeats.${hostId}`;

const HOUR = 3600_000;
const GIB = 1024 ** 3;

/** How long a msgID is remembered: longer than any agent's reconnect-and-resend, so a retry never lands twice. */
export const ALERT_DUPLICATE_WINDOW_MS = 10 * 60_000;

export const STREAMS: ReadonlyArray<Partial<StreamConfig> & { name: string; subjects: string[] }> = [
  {
    name: ALERTS_STREAM, subjects: ['vigil.alerts.>'], retention: RetentionPolicy.Limits, storage: StorageType.File,
    max_bytes: 20 * GIB, discard: DiscardPolicy.New, duplicate_window: nanos(ALERT_DUPLICATE_WINDOW_MS),
  },
  {
    name: EVENTS_STREAM, subjects: ['vigil.events.>'], retention: RetentionPolicy.Limits, storage: StorageType.File,
    max_age: nanos(24 * HOUR), max_bytes: 10 * GIB, discard: DiscardPolicy.Old, duplicate_window: nanos(2 * 60_000),
  },
  {
    name: HEARTBEATS_STREAM, subjects: ['vigil.heartbeats.>'], retention: RetentionPolicy.Limits, storage: StorageType.File,
    max_age: nanos(HOUR), max_bytes: GIB, max_msgs_per_subject: 10, discard: DiscardPolicy.Old,
  },
];

/** Creates each stream, or updates it to these limits if it exists. */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const cfg of STREAMS) {
    try {
      await jsm.streams.info(cfg.name);
      await jsm.streams.update(cfg.name, cfg);
    } catch (err) {
      if ((err as { code?: string }).code !== '404') throw err;
      await jsm.streams.add(cfg);
    }
  }
}
