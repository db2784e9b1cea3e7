import { hostId, timeString } from './common';

export const queryBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    hosts: { type: 'array', items: hostId, minItems: 1, maxItems: 10_000 },
    all: { type: 'boolean' },
    filters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        since: timeString,
        until: timeString,
        pid: { type: 'integer', minimum: 0, maximum: 4294967295 },
        entity_id: { type: 'string', maxLength: 128 },
        exe: { type: 'string', maxLength: 4096 },
        path: { type: 'string', maxLength: 4096 },
        dst: { type: 'string', maxLength: 512 },
        action: { type: 'string', maxLength: 64 },
        rule: { type: 'string', maxLength: 256 },
      },
    },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    timeout_ms: { type: 'integer', minimum: 1, maximum: 600_000 },
  },
} as const;
