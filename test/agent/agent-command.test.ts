import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseControlPlaneUrl, parseJsonlTarget, parseLogLevel, parseResponseRate, parseRingbufSize } from '../../agent/src/agent/agent-command';
import { buildProgram } from '../../cli/vigil';

describe('agent options', () => {
  it('accepts power-of-two ring buffer sizes with suffixes', () => {
    expect(parseRingbufSize('8M')).toBe(8 << 20);
    expect(parseRingbufSize('4096')).toBe(4096);
    expect(parseRingbufSize('1g')).toBe(1 << 30);
  });

  it('rejects bad sizes, levels and empty --jsonl with a clear error', () => {
    for (const bad of ['3000', '0', '2G', '-8M', 'lots', '12M']) expect(() => parseRingbufSize(bad)).toThrow(InvalidArgumentError);
    expect(() => parseLogLevel('loud')).toThrow(/one of: fatal, error/);
    expect(parseLogLevel('debug')).toBe('debug');
    expect(() => parseJsonlTarget(' ')).toThrow(InvalidArgumentError);
    expect(parseJsonlTarget('-')).toBe('-');
  });

  it('--response-rate takes a whole number of responses per minute, 1 to 100000', () => {
    expect(parseResponseRate('30')).toBe(30);
    expect(parseResponseRate('100000')).toBe(100_000);
    for (const bad of ['0', '-1', '1.5', '100001', 'lots', '']) expect(() => parseResponseRate(bad)).toThrow(/whole number of responses per minute/);
  });

  it('lists the agent subcommand and its options in --help', () => {
    const program = buildProgram();
    expect(program.helpInformation()).toMatch(/agent \[options\]/);
    const agent = program.commands.find((c) => c.name() === 'agent')!;
    const help = agent.helpInformation();
    for (const opt of ['--jsonl', '--ringbuf-size', '--loader', '--log-level']) expect(help).toContain(opt);
  });
});

describe('--control-plane', () => {
  it('takes one URL or several replicas, comma-separated, and refuses anything else', () => {
    expect(parseControlPlaneUrl('ws://127.0.0.1:7070')).toBe('ws://127.0.0.1:7070');
    expect(parseControlPlaneUrl('wss://a:7070,wss://b:7070')).toBe('wss://a:7070,wss://b:7070');
    for (const bad of ['127.0.0.1:7070', 'ws://a:7070,', 'ws://a:7070,b:7070', 'ftp://a:1']) {
      expect(() => parseControlPlaneUrl(bad)).toThrow(InvalidArgumentError);
    }
  });
});
