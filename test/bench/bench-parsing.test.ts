// The bench driver's pure parts: what it reads from tools' output and how it
// builds the agent's arguments from whatever `vigil agent --help` lists.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without type declarations
import { median, slowdown, max } from '../../bench/lib/stats.mjs';
// @ts-expect-error plain ESM module without type declarations
import { parseRate } from '../../bench/lib/exec.mjs';
// @ts-expect-error plain ESM module without type declarations
import { agentArgs, parseHelpOptions } from '../../bench/lib/tracers/vigil-options.mjs';
// @ts-expect-error plain ESM module without type declarations
import { parseAuditStatus } from '../../bench/lib/tracers/auditd.mjs';
// @ts-expect-error plain ESM module without type declarations
import { BpftraceOutputScanner } from '../../bench/lib/tracers/bpftrace.mjs';

const HELP = `Usage: vigil agent [options]

Options:
  --jsonl <file|->        append events as JSON lines to a file, or - for stdout
  --ringbuf-size <bytes>  kernel ring buffer size, power of two (K/M/G suffixes)
  --log-level <level>     log level on stderr:
                          fatal|error|warn|info|debug|trace|silent (default:
                          "info")
  -h, --help              display help for command
`;
const paths = { dbPath: '/t/x.db', jsonlPath: '/t/x.jsonl', rulesDir: __dirname };

describe('stats', () => {
  it('takes the median of odd and even counts and ignores missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, NaN])).toBe(5);
    expect(median([])).toBeNull();
  });
  it('slowdown is baseline over traced and null without data', () => {
    expect(slowdown(300, 100)).toBe(3);
    expect(slowdown(300, 0)).toBeNull();
    expect(slowdown(null, 10)).toBeNull();
    expect(max([1, null, 7, 3])).toBe(7);
  });
});

describe('workload output', () => {
  it('reads the rate a workload prints', () => {
    expect(parseRate('127746.8 iterations/s (100000 in 0.783 s)\n')).toBeCloseTo(127746.8);
    expect(parseRate('1003.3 execs/s (3200 in 3.189 s, target 1600/s)')).toBeCloseTo(1003.3);
    expect(parseRate('usage: open_storm N')).toBeNull();
  });
});

describe('vigil agent options', () => {
  it('lists the long options of commander help, not words in descriptions', () => {
    const opts = parseHelpOptions(HELP);
    expect([...opts].sort()).toEqual(['--help', '--jsonl', '--log-level', '--ringbuf-size']);
  });
  it('uses JSONL as the sink and no --capture while the CLI lacks --db/--capture', () => {
    const { args, jsonl, notes } = agentArgs(parseHelpOptions(HELP), 'default', paths);
    expect(args).toEqual(['agent', '--log-level', 'info', '--jsonl', '/t/x.jsonl']);
    expect(jsonl).toBe('/t/x.jsonl');
    expect(notes.join(' ')).toMatch(/no --db/);
  });
  it('switches to store + rules + capture profile once those options exist', () => {
    const opts = parseHelpOptions(`${HELP}  --db <path>  store\n  --rules <dir>  rules\n  --capture <mode>  all|default\n`);
    expect(agentArgs(opts, 'full', paths).args).toEqual(['agent', '--log-level', 'info', '--capture', 'all', '--rules', __dirname, '--db', '/t/x.db']);
    expect(agentArgs(opts, 'default', paths).args).toContain('default');
    expect(agentArgs(opts, 'default', paths).jsonl).toBeNull();
  });
  it('does not pass the bundled rules again once the CLI loads them by default', () => {
    const opts = parseHelpOptions(`${HELP}  --db <path>  store
  --rules <dir>  rules
  --no-default-rules  skip
  --capture <mode>  all|default
`);
    expect(agentArgs(opts, 'default', paths).args).toEqual(['agent', '--log-level', 'info', '--capture', 'default', '--db', '/t/x.db']);
  });
});

describe('tracer output parsing', () => {
  it('parses auditctl -s', () => {
    const s = parseAuditStatus('enabled 1\nfailure 1\npid 31374\nbacklog_limit 8192\nlost 12\nloginuid_immutable 0 unlocked\n');
    expect(s).toMatchObject({ enabled: 1, pid: 31374, backlog_limit: 8192, lost: 12 });
  });
  it('finds bpftrace attach, marker and lost lines even when split across chunks', () => {
    const sc = new BpftraceOutputScanner();
    sc.needle = 'marker-1';
    sc.push(Buffer.from('Attach'));
    expect(sc.attached).toBe(false);
    sc.push(Buffer.from('ing 4 probes...\nopen 1 cat /etc/x\nLost 5 ev'));
    expect(sc.attached).toBe(true);
    expect(sc.lost).toBe(0);
    sc.push(Buffer.from('ents\nopen 2 x /tmp/marker-1\nLost 7 events\n'));
    expect(sc.lost).toBe(12);
    expect(sc.seen).toBe(true);
  });
});
