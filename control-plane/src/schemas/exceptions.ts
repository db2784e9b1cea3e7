// POST /v1/exceptions body. Field names come from the wire contract, so the
// control plane refuses what the agent would refuse.
import { EXCEPTION_FIELDS } from '../../../proto/src';
import { hostId } from './common';

export const MAX_EXCEPTION_COMMENT = 4000;

const patterns = {
  type: 'array', minItems: 1, maxItems: 256,
  items: { type: 'string', minLength: 1, maxLength: 4096 },
} as const;

export const exceptionMatch = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: Object.fromEntries(EXCEPTION_FIELDS.map((f) => [f, patterns])),
} as const;

export const createExceptionBody = {
  type: 'object', additionalProperties: false, required: ['rule', 'match'],
  properties: {
    rule: { type: 'string', minLength: 1, maxLength: 256 },
    match: exceptionMatch,
    comment: { type: 'string', maxLength: MAX_EXCEPTION_COMMENT },
    host: hostId,
    incident_id: { type: 'integer', minimum: 1 },
    expires_in_hours: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 366 },
  },
} as const;

export interface CreateExceptionBody {
  rule: string;
  match: Record<string, string[]>;
  comment?: string;
  host?: string;
  incident_id?: number;
  expires_in_hours?: number;
}
