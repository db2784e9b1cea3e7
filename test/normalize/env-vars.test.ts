import { describe, expect, it } from 'vitest';
import { watchedEnvVars } from '../../agent/src/normalize/env-vars';

const blob = (...vars: string[]): Buffer => Buffer.from(`${vars.join('\0')}\0`);

describe('watchedEnvVars', () => {
  it('keeps only the watched variables, in order, and nothing else of the environment', () => {
    const env = blob('LD_PRELOAD=/tmp/x/libx.so', 'AWS_SECRET_ACCESS_KEY=abc', 'PATH=/usr/bin', 'HISTFILE=/dev/null', 'TERM=xterm');
    expect(watchedEnvVars(env)).toEqual(['LD_PRELOAD=/tmp/x/libx.so', 'HISTFILE=/dev/null']);
  });

  it('answers undefined when nothing is watched, for an empty or missing blob too', () => {
    expect(watchedEnvVars(blob('PATH=/usr/bin', 'HOME=/root'))).toBeUndefined();
    expect(watchedEnvVars(Buffer.alloc(0))).toBeUndefined();
    expect(watchedEnvVars(undefined)).toBeUndefined();
  });

  it('matches whole names only, and reads a last entry the 2 KiB cut left without its NUL', () => {
    expect(watchedEnvVars(blob('XLD_PRELOAD=/a', 'LD_PRELOAD_X=/b'))).toBeUndefined();
    expect(watchedEnvVars(Buffer.from('A=1\0LD_PRELOAD=/tmp/cut'))).toEqual(['LD_PRELOAD=/tmp/cut']);
  });

  it('cuts a long value and survives entries without "="', () => {
    const long = `LD_LIBRARY_PATH=${'/x'.repeat(400)}`;
    const got = watchedEnvVars(blob('garbage', '=', long))!;
    expect(got).toHaveLength(1);
    expect(got[0].length).toBe('LD_LIBRARY_PATH='.length + 256);
  });
});
