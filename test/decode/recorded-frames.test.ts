// Decoding frames recorded from the real loader (test/fixtures/capture-events.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameKind, FrameReader } from '../../agent/src/decode/frame-reader';
import { EVENT_TYPE_BY_CODE } from '../../agent/src/decode/layout';
import { DecodeError, decodeEvents } from '../../agent/src/decode/record-decoder';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { BootClock } from '../../agent/src/normalize/boot-clock';
import { EventNormalizer } from '../../agent/src/normalize';
import type { RawRecord } from '../../agent/src/normalize/types';

const FIX = join(__dirname, '../fixtures');
const meta = JSON.parse(readFileSync(join(FIX, 'process-records.json'), 'utf8'));

function decodeAll(payload: Buffer): { recs: RawRecord[]; errs: DecodeError[] } {
  const recs: RawRecord[] = [];
  const errs: DecodeError[] = [];
  decodeEvents(payload, (r) => recs.push(r), (e) => errs.push(e));
  return { recs, errs };
}

describe('recorded loader output', () => {
  it('splits into frames and decodes every record of every family without error', () => {
    const frames = new FrameReader().push(readFileSync(join(FIX, 'loader-frames.bin')));
    const events = frames.filter((f) => f.kind === FrameKind.Events);
    expect(events.length).toBeGreaterThan(0);
    const types = new Set<number>();
    for (const f of events) {
      const { recs, errs } = decodeAll(f.payload);
      expect(errs).toEqual([]);
      expect(recs.length).toBeGreaterThan(0);
      for (const r of recs) {
        expect(EVENT_TYPE_BY_CODE[r.type]).toBeDefined();
        expect(r.nstr).toBe(r.strings.length);
        expect(r.ts_ns).toBeGreaterThan(0n);
        types.add(r.type);
      }
    }
    expect(types.has(1)).toBe(true); // exec
    expect(types.has(3)).toBe(true); // exit
    expect([...types].some((t) => t >= 10)).toBe(true); // some non-process family
  });

  it('decodes and normalizes the marker processes exactly', () => {
    const { recs, errs } = decodeAll(readFileSync(join(FIX, 'process-records.bin')));
    expect(errs).toEqual([]);
    const n = new EventNormalizer({ hostName: 'h', bootId: 'fixture-boot', clock: new BootClock(0n) });
    const evs = recs.map((r) => n.normalize(r)).filter((e): e is EcsEvent => e !== undefined);
    expect(evs).toHaveLength(recs.length);

    const trueExec = evs.find((e) => e.event.action === 'exec' && e.process.pid === meta.true.pid)!;
    expect(trueExec.process).toMatchObject({ executable: meta.true.exe, args: meta.true.args, working_directory: meta.dir, parent: { pid: meta.test_pid } });
    expect(trueExec.event.outcome).toBe('success');

    const shExit = evs.find((e) => e.event.action === 'exit' && e.process.pid === meta.sh.pid)!;
    expect(shExit.process.exit_code).toBe(meta.sh.exit_code);

    const fork = evs.find((e) => e.event.action === 'fork' && e.process.pid === meta.sh.pid)!;
    const child = fork.vigil.child as { pid: number; entity_id: string };
    const sleepExec = evs.find((e) => e.event.action === 'exec' && e.process.pid === child.pid)!;
    expect(sleepExec.process.args).toEqual(['sleep', '0.05']);
    expect(sleepExec.process.entity_id).toBe(child.entity_id);
    expect(sleepExec.process.parent.pid).toBe(meta.sh.pid);

    const missing = evs.find((e) => e.event.action === 'exec' && e.process.executable === meta.missing.exe)!;
    expect(missing.event.outcome).toBe('failure');
    expect(missing.vigil.errno).toBe('ENOENT');
  });
});
