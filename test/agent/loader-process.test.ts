// LoaderProcess against a fake loader script that speaks the frame protocol,
// so the runner's plumbing is tested without root. The real loader is
// covered by test/e2e.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoaderProcess } from '../../agent/src/agent/loader-process';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { BootClock } from '../../agent/src/normalize/boot-clock';
import { EventNormalizer } from '../../agent/src/normalize';
import { buildRecord } from '../decode/record-builder';

const FAKE = `#!${process.execPath}
const fs = require('node:fs');
fs.writeFileSync(process.env.FAKE_ARGS, JSON.stringify(process.argv.slice(2)));
const frame = (kind, payload) => { const h = Buffer.alloc(8); h.writeUInt16LE(0x5647, 0); h.writeUInt16LE(kind, 2); h.writeUInt32LE(payload.length, 4); return Buffer.concat([h, payload]); };
const stats = (drops) => Buffer.from(JSON.stringify({ events: 1, drops, truncated: 0, filtered: 0, ringbuf_bytes: 4096, realtime_offset_ns: '1700000000000000000', probes: [{ name: 'p', family: 'process', section: 's', attached: true, error: '' }] }));
const out = [frame(3, stats(0)), Buffer.from('junk'), frame(1, fs.readFileSync(process.env.FAKE_RECORDS)), frame(2, stats(4)), frame(2, Buffer.from('{bad'))];
process.stderr.write('vigil-loader: hello from the fake\\n');
process.stdout.write(Buffer.concat(out), () => {
  if (process.env.FAKE_EXIT) process.exit(Number(process.env.FAKE_EXIT));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
});
`;

describe('LoaderProcess', () => {
  let dir: string;
  let fake: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fake-loader-'));
    fake = join(dir, 'fake-loader');
    writeFileSync(fake, FAKE);
    chmodSync(fake, 0o755);
    const exec = buildRecord({ type: 1, hdr: { ts_ns: 5n, tgid: 77 }, body: { ret: 0, exe_nlink: 1 }, strings: ['/bin/true', 'true\0', '/'] });
    writeFileSync(join(dir, 'records.bin'), Buffer.concat([exec, buildRecord({ type: 63 })]));
    process.env.FAKE_ARGS = join(dir, 'args.json');
    process.env.FAKE_RECORDS = join(dir, 'records.bin');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.FAKE_EXIT;
  });

  function start(): { lp: LoaderProcess; events: EcsEvent[]; logs: { level: number; msg: string }[] } {
    const events: EcsEvent[] = [];
    const logs: { level: number; msg: string }[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { logs.push(JSON.parse(chunk.toString())); cb(); } });
    const lp = new LoaderProcess({
      loaderPath: fake, ringbufSize: 65536, logger: pino({ level: 'debug' }, sink), onEvent: (e) => events.push(e),
      normalizer: new EventNormalizer({ hostName: 'h', bootId: 'b', clock: new BootClock(0n) }),
    });
    return { lp, events, logs };
  }

  it('streams events, keeps stats, counts bad input and stops on stdin EOF', async () => {
    delete process.env.FAKE_EXIT;
    const { lp, events, logs } = start();
    await expect.poll(() => lp.latestStats()?.drops, { timeout: 5000 }).toBe(4);
    expect(lp.isReady()).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0].process).toMatchObject({ pid: 77, executable: '/bin/true', args: ['true'] });
    // The realtime offset from READY is applied to @timestamp.
    expect(events[0]['@timestamp']).toBe('2023-11-14T22:13:20.000000005Z');
    expect(lp.collectorCounters()).toMatchObject({ frames: 4, records: 1, events: 1, decodeErrors: { UNKNOWN_TYPE: 1 }, badStatsFrames: 1, resyncedBytes: 4 });
    expect(JSON.parse(readFileSync(process.env.FAKE_ARGS!, 'utf8'))).toEqual(['--self-pid', String(process.pid), '--ringbuf-size', '65536']);
    const exit = await lp.stop();
    expect(exit).toMatchObject({ code: 0, requested: true });
    expect(logs.some((l) => l.level === 30 && l.msg === 'loader ready')).toBe(true);
    expect(logs.some((l) => l.level === 40 && /dropped/.test(l.msg))).toBe(true);
    expect(logs.some((l) => l.msg === 'vigil-loader: hello from the fake')).toBe(true);
  });

  it('reports an unrequested exit with the message for its exit code', async () => {
    process.env.FAKE_EXIT = '3';
    const { lp } = start();
    const exit = await lp.exited;
    expect(exit).toMatchObject({ code: 3, requested: false });
    expect(exit.message).toMatch(/not root — run vigil agent as root/);
  });

  it('explains a missing loader binary', async () => {
    const lp = new LoaderProcess({
      loaderPath: join(dir, 'nope'), logger: pino({ level: 'silent' }), onEvent: () => {},
      normalizer: new EventNormalizer({ hostName: 'h', bootId: 'b' }),
    });
    const exit = await lp.exited;
    expect(exit.message).toMatch(/cannot start .*nope.*make loader/);
  });
});
