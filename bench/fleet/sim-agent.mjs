// One simulated agent: its own host identity and token, the real agent
// protocol (AgentHello, Heartbeat, AlertBatch with Ack, EventBatch), and
// an outbox: alerts stay until acked and are re-sent after a reconnect from
// the control plane's resume point, as the real agent does. On a close it
// reconnects within a second to the next control-plane URL (failover).
import WebSocket from 'ws';
import { PROTOCOL_VERSION, alertToProto, decodeEnvelope, encodeEnvelope, eventToProto } from './wire.mjs';

// What a 1.3 agent sends: typed documents shaped like the real pipeline's
// (an open event; a rule alert carrying it), mapped once per agent and
// varied per message, so the simulator's own CPU stays small.
function openEvent(host) {
  return {
    '@timestamp': new Date().toISOString(), event: { kind: 'event', category: ['file'], type: ['access'], action: 'open', outcome: 'success', code: 10, id: `${host}-e0` },
    process: { pid: 4242, entity_id: `${host}-p1`, name: 'sim', executable: '/usr/bin/sim', args: ['sim', '--work'], command_line: 'sim --work', thread: { id: 4242 },
      parent: { pid: 1, entity_id: `${host}-p0`, executable: '/sbin/init' }, start: '2026-12-01T00:00:00.000Z' },
    user: { id: '0', name: 'root', effective: { id: '0' }, group: { id: '0' } }, host: { name: host, boot: { id: 'boot' } },
    file: { path: '/var/lib/sim/0' },
    vigil: { ret: 3, flags: 0, flag_names: ['O_RDONLY'], syscall: 'openat', dirfd: -100, cgroup_id: '4242', mnt_ns: 4026531841, pid_ns: 4026531836, start_boottime_ns: '1000000', ts_boot_ns: '2000000' },
  };
}

export class SimAgent {
  constructor({ hostId, token, urls, onAck }) {
    this.hostId = hostId;
    this.token = token;
    this.urls = urls;
    this.urlIndex = 0;
    this.onAck = onAck;
    this.nextSeq = 1;
    this.outbox = [];          // unacked alerts, oldest first
    this.eventSeq = 1;
    this.live = false;
    this.connects = 0;
    this.disconnectedAt = undefined;
    this.reconnectMs = [];     // time from losing a session to the next ServerHello
    this.stopped = false;
  }

  connect() {
    const url = `${this.urls[this.urlIndex % this.urls.length]}/v1/agent`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` }, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => ws.send(encodeEnvelope({ hello: { host_id: this.hostId, hostname: this.hostId, kernel: '6.18.0', agent_version: '0.1.0', capabilities: [], protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor } })));
    ws.on('message', (data) => this.onMessage(decodeEnvelope(data)));
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.live = false;
      this.disconnectedAt ??= Date.now();
      if (this.stopped) return;
      this.urlIndex++;
      setTimeout(() => this.connect(), 200 + Math.random() * 600);
    });
  }

  onMessage(env) {
    if (env.payload === 'server_hello') {
      this.live = true;
      this.connects++;
      if (this.disconnectedAt !== undefined) this.reconnectMs.push(Date.now() - this.disconnectedAt);
      this.disconnectedAt = undefined;
      const stored = env.server_hello.alert_seq;
      this.outbox = this.outbox.filter((a) => a.seq > stored);
      if (this.outbox.length) this.sendAlerts(this.outbox);
    } else if (env.payload === 'ack' && env.ack.stream !== 'ACK_STREAM_EVENTS') {
      const upTo = env.ack.seq;
      let n = 0;
      while (this.outbox.length && this.outbox[0].seq <= upTo) { this.outbox.shift(); n++; }
      if (n) this.onAck?.(n);
    }
  }

  send(env) {
    if (!this.live || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encodeEnvelope(env));
    return true;
  }

  heartbeat() {
    this.send({ heartbeat: { timestamp: new Date().toISOString(), events: this.eventSeq, drops: 0, truncated: 0, filtered: 0, probes_attached: 58, probes_failed: 0 } });
  }

  /** Makes `n` alerts; they are sent now if connected, else on the next session. */
  raise(n) {
    const fresh = [];
    for (let i = 0; i < n; i++) {
      const seq = this.nextSeq++;
      const ts = new Date().toISOString();
      this.alertTemplate ??= alertToProto({
        event: { kind: 'alert', category: ['file'], action: 'open', severity: 73, risk_score: 73 },
        rule: { id: 'sim-rule', name: 'Simulated detection', description: 'A simulated rule match', level: 'high', ruleset: 'sigma', tags: ['attack.execution', 'attack.t1059.004'] },
        threat: [{ framework: 'MITRE ATT&CK', tactic: { name: ['Execution'] }, technique: { id: ['T1059'], subtechnique: { id: ['T1059.004'] } } }],
        process: openEvent(this.hostId).process, host: { name: this.hostId },
        vigil: { alert: { events: [openEvent(this.hostId)], related: [], count: 1 } },
      });
      fresh.push({
        ...this.alertTemplate, id: `${this.hostId}-${seq}`, seq, host_id: this.hostId,
        timestamp: ts, created: ts, first_seen: ts, last_seen: ts, count: 1,
        process: { ...this.alertTemplate.process, pid: 1000 + seq, entity_id: `${this.hostId}-p${seq}` },
      });
    }
    this.outbox.push(...fresh);
    this.sendAlerts(fresh);
  }

  sendAlerts(alerts) {
    if (!alerts.length) return;
    this.send({ alert_batch: { first_seq: alerts[0].seq, alerts } });
  }

  forwardEvents(n) {
    if (!n || !this.live) return;
    const events = [];
    const ts = new Date().toISOString();
    for (let i = 0; i < n; i++) {
      this.eventTemplate ??= eventToProto(openEvent(this.hostId));
      events.push({ ...this.eventTemplate, timestamp: ts, id: `${this.hostId}-e${this.eventSeq + i}`, open: { ...this.eventTemplate.open, path: `/var/lib/sim/${i}` } });
    }
    if (this.send({ event_batch: { first_seq: this.eventSeq, events } })) this.eventSeq += n;
  }

  close() {
    this.stopped = true;
    this.ws?.close();
  }
}
