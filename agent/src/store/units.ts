// Human units shared by the store (retention flags) and the query filters.
// Parsers return undefined on bad input so each caller can raise its own
// typed error with a message that fits its flag.

const DURATION_MS: Record<string, number> = {
  ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};
const SIZE_BYTES: Record<string, number> = {
  b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

export const DURATION_FORMS = 'a duration like 500ms, 30s, 15m, 2h, 7d or 2w';
export const SIZE_FORMS = 'a size like 500MB, 1GB or 2GiB (units B, KB, MB, GB, TB; 1KB = 1024 bytes)';

/** "15m" -> 900000. Whole or decimal numbers with one unit. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * DURATION_MS[m[2].toLowerCase()];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** "1GB" -> 1073741824. A bare number is bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2] === '' ? 'b' : m[2].toLowerCase();
  const mul = SIZE_BYTES[unit];
  if (mul === undefined) return undefined;
  const bytes = Number(m[1]) * mul;
  return Number.isFinite(bytes) ? Math.floor(bytes) : undefined;
}
