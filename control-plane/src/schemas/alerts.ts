import { listFilterProperties, type ListFilterQuery } from './list-filters';

export const listAlertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...listFilterProperties,
    cursor: { type: 'integer', minimum: 0 },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export interface ListAlertsQuery extends ListFilterQuery {
  cursor?: number; order: 'asc' | 'desc'; limit: number;
}

export const alertCountsQuery = { type: 'object', additionalProperties: false, properties: listFilterProperties } as const;

export const alertIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;
