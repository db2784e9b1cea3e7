// normalizeNet on hand-built records: kernel bytes -> decoder -> normalizer.
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { EventNormalizer } from '../../agent/src/normalize';
import { formatIPv6 } from '../../agent/src/normalize/ip-format';
import { normalizeNet } from '../../agent/src/normalize/net';
import { buildRecord, type RecordSpec } from '../decode/record-builder';

const normalizer = new EventNormalizer({ hostName: 'h', bootId: 'b', names: { userName: () => undefined, groupName: () => undefined } });

function v4(a: string): Buffer {
  const b = Buffer.alloc(16);
  a.split('.').forEach((o, i) => { b[i] = Number(o); });
  return b;
}
const v6 = (hex: string): Buffer => Buffer.from(hex.padStart(32, '0'), 'hex');

function norm(spec: RecordSpec): EcsEvent {
  const rec = decodeRecord(buildRecord(spec));
  if (rec instanceof Error) throw rec;
  const ev = normalizer.normalize(rec);
  if (!ev) throw new Error('record dropped');
  return ev;
}

const base = { ret: 0, fd: 3, family: 2, type: 1, protocol: 6, sport: 0, dport: 0, old_state: 0, new_state: 0, backlog: 0, saddr: v4('0.0.0.0'), daddr: v4('0.0.0.0') };

describe('normalizeNet', () => {
  it('maps an IPv4 connect: local source, remote destination, egress', () => {
    const ev = norm({ type: 30, body: { ...base, sport: 40000, dport: 8080, saddr: v4('127.0.0.1'), daddr: v4('10.1.2.3') }, strings: [''] });
    expect(ev.event).toMatchObject({ action: 'connect', category: ['network'], outcome: 'success' });
    expect(ev.source).toEqual({ ip: '127.0.0.1', port: 40000 });
    expect(ev.destination).toEqual({ ip: '10.1.2.3', port: 8080 });
    expect(ev.network).toEqual({ type: 'ipv4', transport: 'tcp', direction: 'egress' });
    expect(ev.vigil).toMatchObject({ family: 'AF_INET', socket_type: 'SOCK_STREAM', fd: 3, ret: 0 });
  });

  it('treats EINPROGRESS as unknown and ECONNREFUSED as failure', () => {
    const pending = norm({ type: 30, body: { ...base, ret: -115, dport: 80, daddr: v4('1.1.1.1') }, strings: [''] });
    expect(pending.event.outcome).toBe('unknown');
    expect(pending.vigil.errno).toBe('EINPROGRESS');
    expect(pending.source).toBeUndefined();
    const refused = norm({ type: 30, body: { ...base, ret: -111, dport: 80, daddr: v4('1.1.1.1') }, strings: [''] });
    expect(refused.event.outcome).toBe('failure');
    expect(refused.vigil.errno).toBe('ECONNREFUSED');
  });

  it('maps an IPv6 accept with the peer as source', () => {
    const ev = norm({ type: 31, body: { ...base, family: 10, fd: 5, ret: 5, sport: 443, dport: 51000, saddr: v6('1'), daddr: v6('20010db8000000000000000000000042') }, strings: [''] });
    expect(ev.source).toEqual({ ip: '2001:db8::42', port: 51000 });
    expect(ev.destination).toEqual({ ip: '::1', port: 443 });
    expect(ev.network).toMatchObject({ type: 'ipv6', direction: 'ingress', transport: 'tcp' });
  });

  it('maps listen with backlog and bind with the local address', () => {
    const l = norm({ type: 33, body: { ...base, backlog: 128, sport: 22, saddr: v4('0.0.0.0') }, strings: [''] });
    expect(l.network?.direction).toBe('listening');
    expect(l.vigil.backlog).toBe(128);
    expect(l.source).toEqual({ ip: '0.0.0.0', port: 22 });
    const b = norm({ type: 32, body: { ...base, ret: -98, sport: 22, saddr: v4('127.0.0.1') }, strings: [''] });
    expect(b.event.action).toBe('bind');
    expect(b.vigil.errno).toBe('EADDRINUSE');
  });

  it('names raw and packet sockets', () => {
    const pkt = norm({ type: 34, body: { ...base, family: 17, type: 3, protocol: 768 }, strings: [''] });
    expect(pkt.vigil).toMatchObject({ family: 'AF_PACKET', socket_type: 'SOCK_RAW' });
    expect(pkt.network?.transport).toBeUndefined();
    const icmp = norm({ type: 34, body: { ...base, family: 2, type: 3, protocol: 1 }, strings: [''] });
    expect(icmp.vigil.socket_type).toBe('SOCK_RAW');
    expect(icmp.network).toMatchObject({ type: 'ipv4', transport: 'icmp' });
  });

  it('puts the AF_UNIX path in destination.address', () => {
    const ev = norm({ type: 30, body: { ...base, family: 1, protocol: 0 }, strings: ['/run/docker.sock'] });
    expect(ev.destination).toEqual({ address: '/run/docker.sock' });
    expect(ev.network).toEqual({ type: 'unix', direction: 'egress' });
  });

  it('names tcp states and keeps the no-task-context flag', () => {
    const ev = norm({ type: 35, flags: 4, body: { ...base, fd: -1, old_state: 2, new_state: 1, sport: 40000, dport: 80, saddr: v4('10.0.0.1'), daddr: v4('10.0.0.2') }, strings: [''] });
    expect(ev.vigil.tcp).toEqual({ old_state: 'SYN_SENT', new_state: 'ESTABLISHED' });
    expect(ev.vigil.no_task_context).toBe(true);
    expect(ev.vigil.fd).toBeUndefined();
    const end = norm({ type: 35, body: { ...base, old_state: 9, new_state: 7 }, strings: [''] });
    expect(end.event.type).toEqual(['connection', 'end']);
  });

  it('drops a record whose body is malformed instead of throwing', () => {
    const rec = decodeRecord(buildRecord({ type: 30, body: base, strings: [''] }));
    if (rec instanceof Error) throw rec;
    rec.body.saddr = Buffer.alloc(3);
    expect(normalizeNet(rec, { event: { action: 'connect' }, vigil: {} } as unknown as EcsEvent, {} as never)).toBe(false);
  });
});

describe('formatIPv6', () => {
  it('compresses the longest zero run and writes v4-mapped addresses dotted', () => {
    expect(formatIPv6(v6('0'))).toBe('::');
    expect(formatIPv6(v6('20010db8000000010000000000000001'))).toBe('2001:db8:0:1::1');
    expect(formatIPv6(v6('00000000000000000000ffff7f000001'))).toBe('::ffff:127.0.0.1');
    expect(formatIPv6(v6('fe800000000000000000000000000000'))).toBe('fe80::');
    expect(formatIPv6(v6('20010db8000100010001000100010001'))).toBe('2001:db8:1:1:1:1:1:1');
  });
});
