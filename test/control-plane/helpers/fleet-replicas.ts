// --nats tests: a nats-server per test and control-plane replicas on it,
// all closed after the test.
import { afterEach } from 'vitest';
import type { BuildOptions } from '../../../control-plane/src/app';
import type { ConfigInput } from '../../../control-plane/src/config';
import { makeHarness, type Harness } from './harness';
import { NatsServer } from './nats-server';

export interface FleetScaffold {
  /** Starts this test's nats-server. */
  nats(): Promise<NatsServer>;
  /** A replica on it (not listening yet). */
  replica(input?: ConfigInput, opts?: BuildOptions): Promise<Harness>;
}

export function useFleet(): FleetScaffold {
  let server: NatsServer | undefined;
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    await server?.stop();
    server = undefined;
  });
  return {
    async nats() {
      server = await NatsServer.start();
      return server;
    },
    async replica(input = {}, opts = {}) {
      if (!server) throw new Error('start the nats-server first: await fleet.nats()');
      const h = await makeHarness({ natsUrl: server.url, ...input }, opts);
      open.push(h);
      return h;
    },
  };
}
