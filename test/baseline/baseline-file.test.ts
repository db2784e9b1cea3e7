import { describe, expect, it } from 'vitest';
import { BaselineFileError, parseBaselineFile } from '../../agent/src/baseline/baseline-file';

const good = { format: 'vigil-baseline', version: 1, exported_at: 'x', entries: [['lineage', '/bin/bash', '/bin/ls', 3, 1, 2]], allowed: [] };

describe('baseline file', () => {
  it('accepts a well-formed file', () => {
    expect(parseBaselineFile(JSON.stringify(good)).entries).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['a foreign document', JSON.stringify({ hello: 1 }), /not a Vigil baseline/],
    ['a newer version', JSON.stringify({ ...good, version: 9 }), /newer Vigil/],
    ['an unknown profile', JSON.stringify({ ...good, entries: [['weird', 'a', 'b', 1, 1, 2]] }), /entry 0 is malformed/],
    ['a negative count', JSON.stringify({ ...good, entries: [['exe', '*', 'b', -1, 1, 2]] }), /entry 0 is malformed/],
    ['first after last', JSON.stringify({ ...good, entries: [['exe', '*', 'b', 1, 5, 2]] }), /entry 0 is malformed/],
    ['a bad allowed entry', JSON.stringify({ ...good, allowed: [['exe']] }), /allowed entry 0/],
  ])('refuses %s with a clear error', (_name, text, msg) => {
    expect(() => parseBaselineFile(text)).toThrow(BaselineFileError);
    expect(() => parseBaselineFile(text)).toThrow(msg);
  });
});
