// RawRecord -> EcsEvent: map the header once, then hand the event to the
// family that owns the wire type (events.h ranges). A family returning false
// drops the record; the drop is counted, never thrown.
import { hostname } from 'node:os';
import type { EcsEvent } from '../model/ecs-event';
import { bootId } from '../process/entity-id';
import { BootClock } from './boot-clock';
import { familyOf, mapHeader, type HeaderEnv } from './common';
import { EntityIdCache } from './entity-cache';
import { normalizeFile } from './file';
import { normalizeNet } from './net';
import { joinPath } from './paths';
import { normalizePriv } from './priv';
import { createProcessNormalizer } from './process';
import type { FamilyNormalizer, NormalizeContext, RawRecord } from './types';
import { IdNameCache } from './users';

export interface EventNormalizerOptions {
  hostName?: string;
  bootId?: string;
  clock?: BootClock;
  names?: { userName(uid: number): string | undefined; groupName(gid: number): string | undefined };
}

export class EventNormalizer {
  readonly clock: BootClock;
  /** Records a family normalizer refused (unknown type, stubbed family, bad body). */
  dropped = 0;
  private readonly env: HeaderEnv;
  private readonly ctx: NormalizeContext;
  private readonly families: Record<'process' | 'file' | 'net' | 'priv', FamilyNormalizer>;

  constructor(opts: EventNormalizerOptions = {}) {
    const names = opts.names ?? new IdNameCache();
    const boot = opts.bootId ?? bootId();
    const entityIds = new EntityIdCache(65536, boot);
    this.clock = opts.clock ?? new BootClock();
    this.env = {
      hostName: opts.hostName ?? hostname(),
      bootId: boot,
      clock: this.clock,
      entityIds,
      userName: (uid) => names.userName(uid),
      groupName: (gid) => names.groupName(gid),
    };
    this.ctx = { userName: this.env.userName, groupName: this.env.groupName, joinPath };
    this.families = {
      process: createProcessNormalizer(entityIds),
      file: normalizeFile,
      net: normalizeNet,
      priv: normalizePriv,
    };
  }

  normalize(rec: RawRecord): EcsEvent | undefined {
    const family = familyOf(rec.type);
    const ev = family && mapHeader(rec, this.env);
    if (!family || !ev) {
      this.dropped++;
      return undefined;
    }
    let keep: boolean;
    try {
      keep = this.families[family](rec, ev, this.ctx);
    } catch {
      // A normalizer bug must not stop the stream; the drop count shows it.
      keep = false;
    }
    if (!keep) {
      this.dropped++;
      return undefined;
    }
    return ev;
  }
}
