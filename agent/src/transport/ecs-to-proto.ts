// ECS documents -> vigil.v1 messages, through the contract package's one
// mapping table (proto/src/ecs-event-map.ts). Input is whatever the pipeline
// (or the outbox, after a restart) hands us; the mapping takes only values
// of the right type, and anything else travels in `extensions`.
import type { DeepPartial, Event } from '../../../proto/src';
import { eventToProto } from '../../../proto/src';

/** One ECS event for an EventBatch or an alert's event list, typed (protocol 1.3: no `json`). */
export function toProtoEvent(v: unknown): DeepPartial<Event> {
  return eventToProto(v);
}
