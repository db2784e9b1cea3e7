// Real kernel: the net probes (bpf/net.bpf.c) seen through the running agent.
// Each test triggers one syscall with build/helpers/sysprobe on loopback and
// asserts the exact normalized event, matched on the helper's pid or on a
// port this test owns.
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { uniqueName, waitForEvent, useCapture } from './harness';
import { startProbe } from './sysprobe';

// Every probe's exact events, including those the default profile filters.
useCapture('all');

const TIMEOUT = 10_000;
const servers: Server[] = [];

function listen(host: string): Promise<number> {
  const srv = createServer((s) => s.on('error', () => undefined).resume());
  servers.push(srv);
  return new Promise((ok, fail) => {
    srv.once('error', fail);
    srv.listen(0, host, () => ok((srv.address() as { port: number }).port));
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((ok) => s.close(ok))));
});

const by = (pid: number, action: string) => (e: EcsEvent) => e.process.pid === pid && e.event.action === action;

describe('net probes (real kernel)', () => {
  it('connect to 127.0.0.1: destination port, result 0, source port', async () => {
    const port = await listen('127.0.0.1');
    const run = startProbe('tcp-connect', '127.0.0.1', String(port));
    const ev = waitForEvent(by(run.pid, 'connect'), TIMEOUT);
    const [out] = await run.done;
    const e = await ev;
    expect(out.ret).toBe(0);
    expect(e.event).toMatchObject({ category: ['network'], outcome: 'success' });
    expect(e.destination).toEqual({ ip: '127.0.0.1', port });
    expect(e.source).toEqual({ ip: '127.0.0.1', port: out.sport });
    expect(e.network).toEqual({ type: 'ipv4', transport: 'tcp', direction: 'egress' });
    expect(e.vigil).toMatchObject({ ret: 0, fd: out.fd, family: 'AF_INET', socket_type: 'SOCK_STREAM' });
  });

  it('connect to ::1 over IPv6', async () => {
    const port = await listen('::1');
    const run = startProbe('tcp-connect', '::1', String(port));
    const ev = waitForEvent(by(run.pid, 'connect'), TIMEOUT);
    const [out] = await run.done;
    const e = await ev;
    expect(e.destination).toEqual({ ip: '::1', port });
    expect(e.source).toEqual({ ip: '::1', port: out.sport });
    expect(e.network).toMatchObject({ type: 'ipv6', transport: 'tcp' });
    expect(e.vigil.family).toBe('AF_INET6');
  });

  it('a refused connect is a failure with ECONNREFUSED', async () => {
    const port = await listen('127.0.0.1');
    await new Promise((ok) => servers.pop()!.close(ok)); // nothing listens there now
    const run = startProbe('tcp-connect', '127.0.0.1', String(port));
    const ev = waitForEvent(by(run.pid, 'connect'), TIMEOUT);
    const [out] = await run.done;
    const e = await ev;
    expect(out.errno).toBe(111);
    expect(e.event.outcome).toBe('failure');
    expect(e.vigil).toMatchObject({ ret: -111, errno: 'ECONNREFUSED' });
    expect(e.destination).toEqual({ ip: '127.0.0.1', port });
  });

  it('tcp state transitions of one connection, by name', async () => {
    const port = await listen('127.0.0.1');
    const toPort = (from: string, to: string) => (e: EcsEvent) =>
      e.event.action === 'tcp-state' && e.destination?.port === port &&
      (e.vigil.tcp as { old_state: string; new_state: string }).old_state === from &&
      (e.vigil.tcp as { new_state: string }).new_state === to;
    const synSent = waitForEvent(toPort('CLOSE', 'SYN_SENT'), TIMEOUT);
    const established = waitForEvent(toPort('SYN_SENT', 'ESTABLISHED'), TIMEOUT);
    const finWait = waitForEvent(toPort('ESTABLISHED', 'FIN_WAIT1'), TIMEOUT);
    const run = startProbe('tcp-connect', '127.0.0.1', String(port));
    const [out] = await run.done;
    const [s, est, fin] = await Promise.all([synSent, established, finWait]);
    // connect() and close() run in the helper: its own context.
    expect(s.process.pid).toBe(run.pid);
    expect(s.vigil.no_task_context).toBeUndefined();
    expect(s.destination).toEqual({ ip: '127.0.0.1', port });
    expect(est.source).toEqual({ ip: '127.0.0.1', port: out.sport });
    expect(est.network).toMatchObject({ type: 'ipv4', transport: 'tcp' });
    // The SYN-ACK is handled in softirq, whoever was running.
    expect(est.vigil.no_task_context).toBe(true);
    expect(fin.process.pid).toBe(run.pid);
    expect(fin.source?.port).toBe(out.sport);
  });

  it('bind, listen with backlog, and accept with the peer', async () => {
    const run = startProbe('tcp-serve', '7');
    const bind = waitForEvent(by(run.pid, 'bind'), TIMEOUT);
    const lst = waitForEvent(by(run.pid, 'listen'), TIMEOUT);
    const acc = waitForEvent(by(run.pid, 'accept'), TIMEOUT);
    const first = await run.next();
    const port = first.port as number;
    const client = connect(port, '127.0.0.1');
    const clientPort = await new Promise<number>((ok, fail) => {
      client.once('error', fail);
      client.once('connect', () => ok(client.localPort!));
    });
    const accepted = await run.next();
    client.destroy();
    await run.done;

    const b = await bind;
    expect(b.event.outcome).toBe('success');
    expect(b.source).toEqual({ ip: '127.0.0.1', port: 0 });
    expect(b.vigil.fd).toBe(first.fd);

    const l = await lst;
    expect(l.network?.direction).toBe('listening');
    expect(l.vigil.backlog).toBe(7);
    expect(l.source).toEqual({ ip: '127.0.0.1', port });

    const a = await acc;
    expect(a.network).toMatchObject({ direction: 'ingress', transport: 'tcp', type: 'ipv4' });
    expect(a.source).toEqual({ ip: '127.0.0.1', port: clientPort });
    expect(a.destination).toEqual({ ip: '127.0.0.1', port });
    expect(a.vigil).toMatchObject({ fd: accepted.fd, ret: accepted.ret });
    expect(accepted.peer_port).toBe(clientPort);
  });

  it('socket(AF_PACKET, SOCK_RAW) and a raw ICMP socket', async () => {
    const pkt = startProbe('socket', '17', '3', '768');
    const pktEv = waitForEvent(by(pkt.pid, 'socket'), TIMEOUT);
    const raw = startProbe('socket', '2', '3', '1');
    const rawEv = waitForEvent(by(raw.pid, 'socket'), TIMEOUT);
    const [[p], [r]] = await Promise.all([pkt.done, raw.done]);
    const pe = await pktEv;
    expect(p.ret).toBeGreaterThanOrEqual(0);
    expect(pe.vigil).toMatchObject({ family: 'AF_PACKET', socket_type: 'SOCK_RAW', fd: p.ret, ret: p.ret });
    expect(pe.event.outcome).toBe('success');
    const re = await rawEv;
    expect(re.vigil).toMatchObject({ family: 'AF_INET', socket_type: 'SOCK_RAW', protocol: 1, fd: r.ret });
    expect(re.network).toMatchObject({ type: 'ipv4', transport: 'icmp' });
  });

  it('bind of an AF_UNIX socket reports the path', async () => {
    const path = join(tmpdir(), `${uniqueName('vigil-sock')}.sock`);
    const run = startProbe('bind-unix', path);
    const ev = waitForEvent(by(run.pid, 'bind'), TIMEOUT);
    await run.done;
    const e = await ev;
    expect(e.destination).toEqual({ address: path });
    expect(e.network?.type).toBe('unix');
    expect(e.vigil).toMatchObject({ family: 'AF_UNIX', socket_type: 'SOCK_STREAM', ret: 0 });
  });
});
