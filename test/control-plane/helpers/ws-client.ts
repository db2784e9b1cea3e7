// A recording WebSocket client: collects every message and the close
// code/reason, so tests can await "the next N messages" or "closed".
import WebSocket from 'ws';
import { until } from './harness';

export interface Closed { code: number; reason: string }

export class TestSocket {
  readonly messages: Array<{ data: Buffer; binary: boolean }> = [];
  closed: Closed | undefined;
  readonly ws: WebSocket;

  constructor(url: string, opts: { token?: string; protocols?: string[]; headers?: Record<string, string> } = {}) {
    const headers = { ...opts.headers, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
    this.ws = new WebSocket(url, opts.protocols ?? [], { headers });
    this.ws.on('message', (data, binary) => this.messages.push({ data: data as Buffer, binary }));
    this.ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
    this.ws.on('error', () => { /* surfaced through close */ });
  }

  opened(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', (code) => reject(new Error(`closed before open (${code})`)));
    });
  }

  async waitMessages(n: number, timeoutMs = 5000): Promise<Array<{ data: Buffer; binary: boolean }>> {
    await until(() => this.messages.length >= n || this.closed !== undefined, timeoutMs, `${n} messages`);
    if (this.messages.length < n) throw new Error(`socket closed after ${this.messages.length}/${n} messages: ${JSON.stringify(this.closed)}`);
    return this.messages.slice(0, n);
  }

  async waitClosed(timeoutMs = 5000): Promise<Closed> {
    await until(() => this.closed !== undefined, timeoutMs, 'close');
    return this.closed!;
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.messages.map((m) => JSON.parse(m.data.toString('utf8')) as T);
  }

  close(): void {
    this.ws.close();
  }
}
