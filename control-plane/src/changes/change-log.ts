// Where a Change goes: applied here at once (embedded), or through the
// fleet's ordered alert stream and applied by every replica (--nats), the
// caller's answer coming from this replica once its consumer has applied it.
import type { Db } from '../store/db';
import type { Change } from './change';
import type { ChangeApplier, ChangeResult } from './change-applier';

export interface ChangeLog { submit(c: Change): Promise<ChangeResult> }

export class LocalChangeLog implements ChangeLog {
  constructor(private readonly db: Db, private readonly applier: ChangeApplier) {}

  async submit(c: Change): Promise<ChangeResult> {
    const done = this.db.transaction(() => this.applier.apply(c))();
    if (!done) throw new Error('a local change cannot have been applied already');
    done.after();
    return done.result;
  }
}

/** What a FleetChangeLog needs of the fleet: publish into the ordered stream, and the results applied here. */
export interface ChangeStream {
  publishChange(c: Change): Promise<number>;
  /** The result of the change at `seq` once this replica applied it (undefined until then). */
  takeResult(seq: number): ChangeResult | undefined;
}

const WAIT_MS = 10_000;

export class FleetChangeLog implements ChangeLog {
  constructor(private readonly stream: ChangeStream) {}

  async submit(c: Change): Promise<ChangeResult> {
    const seq = await this.stream.publishChange(c);
    for (const end = Date.now() + WAIT_MS; Date.now() < end; await new Promise((r) => setTimeout(r, 5))) {
      const r = this.stream.takeResult(seq);
      if (r) return r;
    }
    throw new Error(`change ${seq} is in the fleet stream but this replica has not applied it within ${WAIT_MS} ms; it will apply, retry the read`);
  }
}
