// Follows a JetStream KV bucket: every PUT (those already there, then live
// ones) is handed to `apply`; an entry it cannot read is logged and skipped,
// so one bad record never stops the follower. Returns the stop function.
import type { KV, KvEntry } from 'nats';
import type { Logger } from 'pino';

export async function followPuts(kv: KV, apply: (e: KvEntry) => void, log: Logger, what: string): Promise<() => void> {
  const watch = await kv.watch();
  void (async () => {
    for await (const e of watch) {
      if (e.operation !== 'PUT') continue;
      try {
        apply(e);
      } catch (err) {
        log.error({ err, key: e.key }, `unreadable ${what} skipped`);
      }
    }
  })();
  return () => watch.stop();
}
