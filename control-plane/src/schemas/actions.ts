// POST /v1/agents/:id/actions body.
export const RESPONSE_ACTIONS = [
  'kill-process', 'kill-tree', 'suspend-tree', 'resume-tree', 'isolate-process', 'isolate-host', 'release',
  'quarantine-file', 'restore-file', 'block-exec',
] as const;
export type RemoteAction = (typeof RESPONSE_ACTIONS)[number];

/** Which target each action needs. */
export const TARGET_OF: Readonly<Record<RemoteAction, 'pid' | 'path' | 'isolation_id' | 'host'>> = {
  'kill-process': 'pid', 'kill-tree': 'pid', 'suspend-tree': 'pid', 'resume-tree': 'pid', 'isolate-process': 'pid', 'isolate-host': 'host',
  release: 'isolation_id', 'quarantine-file': 'path', 'restore-file': 'path', 'block-exec': 'path',
};

export const actionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'target'],
  properties: {
    action: { type: 'string', enum: RESPONSE_ACTIONS },
    target: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        pid: { type: 'integer', minimum: 2, maximum: 4194304 },
        path: { type: 'string', minLength: 1, maxLength: 4096, pattern: '^/' },
        isolation_id: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9._-]+$' },
        // isolate-host: the agent's whole host.
        host: { type: 'boolean', enum: [true] },
      },
    },
    alert_ids: { type: 'array', items: { type: 'string', maxLength: 128 }, maxItems: 100 },
    comment: { type: 'string', maxLength: 2000 },
    expires_in: { type: 'string', maxLength: 16 },
  },
} as const;

export interface ActionBody {
  action: RemoteAction;
  target: { pid?: number; path?: string; isolation_id?: string; host?: true };
  alert_ids?: string[];
  comment?: string;
  expires_in?: string;
}
