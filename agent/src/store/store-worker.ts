// Worker-thread side of BackgroundEventStore: owns the writer connection,
// retention and checkpoints, so SQLite's insert and index work runs on its
// own core instead of the collector's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { RowBatch } from './event-row';
import { EventStore, type WriteFault } from './event-store';
import type { RetentionPolicy } from './retention';

export interface StoreWorkerData {
  path: string;
  retention?: RetentionPolicy;
  logLevel: string;
}

export type ToWorker =
  | ({ type: 'rows' } & RowBatch)
  | { type: 'close' };

export type FromWorker =
  | { type: 'written'; rows: number; committed: number; fault?: WriteFault; resendImages?: boolean }
  | { type: 'closed'; stats: ReturnType<EventStore['stats']> };

if (parentPort) {
  const port = parentPort;
  const data = workerData as StoreWorkerData;
  const logger = pino({ level: data.logLevel, base: { component: 'agent', module: 'store' } }, pino.destination({ fd: 2, sync: true }));
  const store = new EventStore({ path: data.path, retention: data.retention, logger });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'rows') {
      const committed = store.writeRows(m);
      const resendImages = store.imagesForgotten;
      store.imagesForgotten = false;
      port.postMessage({ type: 'written', rows: m.events.length + m.alerts.length, committed, fault: store.lastFault, resendImages } satisfies FromWorker);
    } else if (m.type === 'close') {
      port.postMessage({ type: 'closed', stats: store.close() } satisfies FromWorker);
      port.close();
    }
  });
}
