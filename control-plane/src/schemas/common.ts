// JSON schemas shared by the REST routes (validated by fastify/ajv).
import { SEVERITY_NAMES } from '../../../proto/src';

export const timeString = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const severityName = { type: 'string', enum: SEVERITY_NAMES.slice(1) } as const;
export const hostId = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const errorResponse = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;
