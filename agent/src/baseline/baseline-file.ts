// The portable form of a baseline (`vigil baseline export|import`), for a
// fleet that shares a golden baseline. Everything is checked before any of
// it is used: a corrupt or foreign file is refused whole.
import { FrequencyTable } from './frequency-table';
import { PROFILES, type ProfileName } from './observations';

export const BASELINE_FILE_FORMAT = 'vigil-baseline';
export const BASELINE_FILE_VERSION = 1;
const MAX_ENTRIES = 2_000_000;
const MAX_STRING = 4096;

/** [profile, context, value, n, first, last] */
export type FileEntry = [ProfileName, string, string, number, number, number];

export interface BaselineFile {
  format: typeof BASELINE_FILE_FORMAT;
  version: number;
  exported_at: string;
  host?: string;
  learning_since?: number;
  entries: FileEntry[];
  allowed: [ProfileName, string, string][];
}

export class BaselineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineFileError';
  }
}

export function toBaselineFile(table: FrequencyTable, allowed: { profile: ProfileName; context: string; value: string }[], meta: { host?: string; learningSince?: number }): BaselineFile {
  const entries: FileEntry[] = [];
  for (const e of table.all()) entries.push([e.profile, e.context, e.value, e.stat.n, e.stat.first, e.stat.last]);
  return {
    format: BASELINE_FILE_FORMAT, version: BASELINE_FILE_VERSION, exported_at: new Date().toISOString(),
    host: meta.host, learning_since: meta.learningSince, entries,
    allowed: allowed.map((a) => [a.profile, a.context, a.value]),
  };
}

const isStr = (x: unknown): x is string => typeof x === 'string' && x.length <= MAX_STRING;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x < 1e14;
const isProfile = (x: unknown): x is ProfileName => (PROFILES as readonly unknown[]).includes(x);

/** Parses and checks a file's text; throws BaselineFileError naming the first problem. */
export function parseBaselineFile(text: string, what = 'the file'): BaselineFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BaselineFileError(`${what} is not a Vigil baseline (not JSON: ${(err as Error).message}); make one with \`vigil baseline export\``);
  }
  const d = doc as Partial<BaselineFile> | null;
  if (!d || typeof d !== 'object' || d.format !== BASELINE_FILE_FORMAT) {
    throw new BaselineFileError(`${what} is not a Vigil baseline (no "format": "${BASELINE_FILE_FORMAT}"); make one with \`vigil baseline export\``);
  }
  if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 1) throw new BaselineFileError(`${what}: bad "version" ${JSON.stringify(d.version)}`);
  if (d.version > BASELINE_FILE_VERSION) {
    throw new BaselineFileError(`${what} is a version ${d.version} baseline, from a newer Vigil (this one reads version ${BASELINE_FILE_VERSION}); export it again with this version, or upgrade`);
  }
  if (!Array.isArray(d.entries) || d.entries.length > MAX_ENTRIES) throw new BaselineFileError(`${what}: "entries" must be a list of at most ${MAX_ENTRIES}`);
  d.entries.forEach((e, i) => {
    const ok = Array.isArray(e) && e.length === 6 && isProfile(e[0]) && isStr(e[1]) && isStr(e[2])
      && typeof e[3] === 'number' && Number.isFinite(e[3]) && e[3] > 0 && e[3] < 1e12 && isTime(e[4]) && isTime(e[5]) && e[4] <= e[5];
    if (!ok) throw new BaselineFileError(`${what}: entry ${i} is malformed (want [profile, context, value, count > 0, first ms, last ms] with profile one of ${PROFILES.join(', ')}): ${JSON.stringify(e).slice(0, 120)}`);
  });
  const allowed = d.allowed ?? [];
  if (!Array.isArray(allowed)) throw new BaselineFileError(`${what}: "allowed" must be a list`);
  allowed.forEach((a, i) => {
    if (!Array.isArray(a) || a.length !== 3 || !isProfile(a[0]) || !isStr(a[1]) || !isStr(a[2])) throw new BaselineFileError(`${what}: allowed entry ${i} is malformed: ${JSON.stringify(a).slice(0, 120)}`);
  });
  if (d.learning_since !== undefined && !isTime(d.learning_since)) throw new BaselineFileError(`${what}: bad "learning_since"`);
  return { ...(d as BaselineFile), allowed };
}
