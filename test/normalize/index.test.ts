import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../agent/src/decode/layout';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import { EVENT_ACTIONS } from '../../agent/src/model/ecs-event';
import { BootClock } from '../../agent/src/normalize/boot-clock';
import { actionFromCName, familyOf } from '../../agent/src/normalize/common';
import { EventNormalizer } from '../../agent/src/normalize';
import type { RawRecord } from '../../agent/src/normalize/types';
import { buildRecord } from '../decode/record-builder';

describe('dispatch', () => {
  it('derives an ECS action for every wire type, and every action has a wire type', () => {
    const actions = EVENT_TYPES.map((t) => actionFromCName(t.cName));
    expect([...actions].sort()).toEqual([...EVENT_ACTIONS].sort());
    expect(actionFromCName('VIGIL_EV_TCP_STATE')).toBe('tcp-state');
  });

  it('maps wire ranges to families', () => {
    expect([1, 3, 10, 29, 30, 39, 40, 69, 0, 70].map(familyOf)).toEqual(
      ['process', 'process', 'file', 'file', 'net', 'net', 'priv', 'priv', undefined, undefined]);
  });

  it('sends process records to the process normalizer and counts refused ones', () => {
    const n = new EventNormalizer({ hostName: 'h', bootId: 'b', clock: new BootClock(0n), names: { userName: () => undefined, groupName: () => undefined } });
    const exit = n.normalize(decodeRecord(buildRecord({ type: 3, body: { exit_code: 1 } })) as RawRecord);
    expect(exit?.event.action).toBe('exit');
    const before = n.dropped;
    const bogus = { ...(decodeRecord(buildRecord({ type: 3 })) as RawRecord), type: 9 };
    expect(n.normalize(bogus)).toBeUndefined();
    expect(n.dropped).toBe(before + 1);
  });
});
