// --nats: API tokens shared through the JetStream KV bucket VIGIL_TOKENS,
// one key per token id, the value a TokenRecord (the hash, never the
// token). Each replica mirrors the bucket into its SQLite token table, so
// authentication stays a local synchronous lookup, and writes what it
// changes itself back. Revocation and host binding only move one way, so a
// merge keeps whichever side has them set; writes use compare-and-set.
import type { KV } from 'nats';
import type { Logger } from 'pino';
import type { TokenRecord, TokenStore } from '../store/token-store';
import type { NatsLink } from './nats-link';
import { followPuts } from './kv-follow';

export const TOKENS_BUCKET = 'VIGIL_TOKENS';
const MAX_CAS_TRIES = 5;
const SHARE_CONCURRENCY = 16;

export function mergeToken(stored: TokenRecord | undefined, mine: TokenRecord): TokenRecord {
  if (!stored) return mine;
  return { ...stored, revoked_at: stored.revoked_at ?? mine.revoked_at, bound_host: stored.bound_host ?? mine.bound_host };
}

export class TokenReplicator {
  private stopWatch: (() => void) | undefined;

  private constructor(private readonly kv: KV, private readonly tokens: TokenStore, private readonly log: Logger) {}

  static async open(link: NatsLink, tokens: TokenStore, log: Logger): Promise<TokenReplicator> {
    return new TokenReplicator(await link.js.views.kv(TOKENS_BUCKET, { history: 1 }), tokens, log);
  }

  /**
   * Follows the bucket, then shares local tokens (e.g. made by `vigil token
   * create --db` while down) in the background, a few at a time: a replica
   * with thousands of tokens starts serving at once.
   */
  async start(): Promise<void> {
    this.tokens.onChanged((rec) => void this.share(rec).catch((err: Error) =>
      this.log.error({ err: err.message, token_id: rec.id }, 'token change not shared with other replicas')));
    this.stopWatch = await followPuts(this.kv, (e) => this.tokens.applyReplicated(e.json<TokenRecord>()), this.log, 'token record in VIGIL_TOKENS');
    void this.shareAll(this.tokens.records());
  }

  private async shareAll(records: TokenRecord[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const rec = records[next++];
        await this.share(rec).catch((err: Error) => this.log.warn({ err: err.message, token_id: rec.id }, 'local token not shared yet'));
      }
    };
    await Promise.all(Array.from({ length: SHARE_CONCURRENCY }, worker));
  }

  private async share(rec: TokenRecord): Promise<void> {
    await this.compareAndSet(rec.id, (stored) => mergeToken(stored, rec),
      (stored, next) => JSON.stringify(next) === JSON.stringify(stored), (last) => last);
  }

  /**
   * Writes `next(stored)` over what the bucket holds for `id`, unless
   * `unchanged` says the bucket already has it; when another replica wrote
   * first, reads its value and decides again. Resolves with the record the
   * bucket holds; after MAX_CAS_TRIES lost races, rejects with `exhausted`
   * of the last write error. An error reading the bucket or from `next` rejects as it is.
   */
  private async compareAndSet(id: string, next: (stored: TokenRecord | undefined) => TokenRecord,
    unchanged: (stored: TokenRecord, next: TokenRecord) => boolean, exhausted: (last: unknown) => unknown): Promise<TokenRecord> {
    for (let i = 0; ; i++) {
      const cur = await this.kv.get(id);
      const stored = cur && cur.operation === 'PUT' ? cur.json<TokenRecord>() : undefined;
      const want = next(stored);
      if (stored && unchanged(stored, want)) return want;
      try {
        const body = JSON.stringify(want);
        if (cur) await this.kv.update(id, body, cur.revision);
        else await this.kv.create(id, body);
        return want;
      } catch (err) {
        // Another replica wrote first: read its value and decide again.
        if (i === MAX_CAS_TRIES - 1) throw exhausted(err);
      }
    }
  }

  /**
   * Binds an agent token to a host through the bucket, compare-and-set: of
   * two replicas binding the same token to two hosts at the same instant,
   * one wins and both learn which. Returns the host the token is bound to.
   */
  async claimHost(id: string, hostId: string): Promise<string> {
    let local: TokenRecord | undefined;
    const claimed = await this.compareAndSet(id, (stored) => {
      local = this.tokens.record(id);
      if (!stored && !local) throw new Error(`token ${id} is unknown`);
      const merged = local ? mergeToken(stored, local) : stored!;
      return merged.bound_host ? merged : { ...merged, bound_host: hostId };
    }, (stored, next) => stored.bound_host === next.bound_host,
    () => new Error(`token ${id}: its host binding kept changing under ${MAX_CAS_TRIES} tries; the agent retries`));
    if (claimed.bound_host === hostId && !local?.bound_host) this.tokens.bindHost(id, hostId);
    else this.tokens.applyReplicated(claimed);
    return claimed.bound_host!;
  }

  stop(): void {
    this.stopWatch?.();
  }
}
