import { ROLES } from '../store/token-store';

export const createTokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    name: { type: 'string', maxLength: 128 },
  },
} as const;

export const tokenIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
