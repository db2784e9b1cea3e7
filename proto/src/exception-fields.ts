// The event fields a rule exception may name (ExceptionMatch.field): what
// identifies a benign actor, not the detail of what it did. Both the agent
// (exception files) and the control plane (POST /v1/exceptions) check these.
export const EXCEPTION_FIELDS = [
  'process.executable',
  'process.name',
  'process.command_line',
  'process.parent.executable',
  'process.ancestors.executable',
  'file.path',
  'destination.ip',
  'user.name',
  'container.id',
  'host.name',
] as const;
export type ExceptionField = (typeof EXCEPTION_FIELDS)[number];

/** A pattern that is only wildcards matches every value: refused on both sides. */
export const matchesEverything = (pattern: string): boolean => /^\*+$/.test(pattern);
