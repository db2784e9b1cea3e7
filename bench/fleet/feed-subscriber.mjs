// An automated responder on the alert feed: JSON frames, resume by cursor
// (?after=<last seq>) on any disconnect, to the next control-plane URL. It
// records each alert once by id and counts any id seen twice, and the
// latency from the simulated agent's send time (Alert.timestamp) to arrival.
import WebSocket from 'ws';

export class FeedSubscriber {
  constructor({ urls, token, filter = 'rule=sim-rule' }) {
    this.urls = urls;
    this.token = token;
    this.filter = filter;
    this.urlIndex = 0;
    this.after = undefined;
    this.seen = new Set();
    this.duplicates = 0;
    this.latencies = [];
    this.ingestLatencies = [];   // agent send -> stored at the control plane (received_at)
    this.reconnects = 0;
    this.stopped = false;
    this.recording = true;
  }

  start(fromSeq) {
    this.after = fromSeq;
    this.connect();
    return new Promise((resolve) => { this.opened = resolve; });
  }

  connect() {
    const base = this.urls[this.urlIndex % this.urls.length].replace(/^http/, 'ws');
    const q = [this.filter, this.after !== undefined ? `after=${this.after}` : ''].filter(Boolean).join('&');
    const ws = new WebSocket(`${base}/v1/alerts/stream?${q}`, { headers: { authorization: `Bearer ${this.token}` }, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => this.opened?.());
    ws.on('message', (data) => {
      const now = Date.now();
      const rec = JSON.parse(data.toString());
      this.after = rec.seq;
      if (this.seen.has(rec.id)) this.duplicates++;
      else this.seen.add(rec.id);
      if (this.recording) {
        this.latencies.push(now - Date.parse(rec.timestamp));
        this.ingestLatencies.push(Date.parse(rec.received_at) - Date.parse(rec.timestamp));
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws || this.stopped) return;
      this.reconnects++;
      this.urlIndex++;
      setTimeout(() => this.connect(), 200);
    });
  }

  close() {
    this.stopped = true;
    this.ws?.close();
  }
}
