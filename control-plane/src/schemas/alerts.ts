import { hostId, severityName, timeString } from './common';

export const listAlertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: timeString,
    until: timeString,
    host: hostId,
    rule: { type: 'string', minLength: 1, maxLength: 256 },
    min_severity: severityName,
    tag: { type: 'string', minLength: 1, maxLength: 256 },
    cursor: { type: 'integer', minimum: 0 },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export interface ListAlertsQuery {
  since?: string; until?: string; host?: string; rule?: string; min_severity?: string; tag?: string;
  cursor?: number; order: 'asc' | 'desc'; limit: number;
}

export const alertIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;
