// vigil_net_body -> ECS. source/destination follow ECS: source is the side
// that initiated. connect: source = local, destination = remote. accept: the
// peer initiated, so source = peer, destination = local. bind/listen: only
// a local end, in source. tcp-state: source = local, destination = remote.
import type { EcsEvent } from '../model/ecs-event';
import { errnoFromRet } from './errno';
import { formatIPv4, formatIPv6 } from './ip-format';
import { AF_INET, AF_INET6, AF_UNIX, familyName, networkType, socketTypeName, tcpStateName, transportName } from './net-names';
import type { FamilyNormalizer, RawRecord } from './types';

const EINPROGRESS = -115;
const TCP_CLOSE = 7;

interface NetBody {
  ret: number; fd: number; family: number; type: number; protocol: number;
  sport: number; dport: number; old_state: number; new_state: number; backlog: number;
  saddr: Buffer; daddr: Buffer;
}

function readBody(rec: RawRecord): NetBody | undefined {
  const b = rec.body;
  const num = (k: string) => (typeof b[k] === 'number' ? (b[k] as number) : undefined);
  const saddr = b.saddr;
  const daddr = b.daddr;
  if (!Buffer.isBuffer(saddr) || !Buffer.isBuffer(daddr) || saddr.length < 16 || daddr.length < 16) return undefined;
  const keys = ['ret', 'fd', 'family', 'type', 'protocol', 'sport', 'dport', 'old_state', 'new_state', 'backlog'] as const;
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = num(k);
    if (v === undefined) return undefined;
    out[k] = v;
  }
  return { ...(out as Omit<NetBody, 'saddr' | 'daddr'>), saddr, daddr };
}

function ip(family: number, addr: Buffer): string | undefined {
  if (family === AF_INET) return formatIPv4(addr);
  if (family === AF_INET6) return formatIPv6(addr);
  return undefined;
}

function endpoint(family: number, addr: Buffer, port: number): { ip?: string; port?: number } | undefined {
  const a = ip(family, addr);
  return a === undefined ? undefined : { ip: a, port };
}

function setOutcome(ev: EcsEvent, ret: number, action: string): void {
  ev.vigil.ret = ret;
  if (ret >= 0) {
    ev.event.outcome = 'success';
    return;
  }
  ev.vigil.errno = errnoFromRet(ret);
  // A non-blocking connect still in progress has not failed.
  ev.event.outcome = action === 'connect' && ret === EINPROGRESS ? 'unknown' : 'failure';
}

export const normalizeNet: FamilyNormalizer = (rec, ev) => {
  const b = readBody(rec);
  if (!b) return false;
  const action = ev.event.action;
  const local = endpoint(b.family, b.saddr, b.sport);
  const remote = endpoint(b.family, b.daddr, b.dport);
  const unixPath = rec.strings[0]?.toString('utf8') ?? '';

  ev.event.category = ['network'];
  ev.vigil.family = familyName(b.family);
  if (b.type !== 0) ev.vigil.socket_type = socketTypeName(b.type);
  ev.vigil.protocol = b.protocol;
  const ntype = networkType(b.family);
  const transport = transportName(b.family, b.type, b.protocol);
  ev.network = {};
  if (ntype) ev.network.type = ntype;
  if (transport) ev.network.transport = transport;
  if (action !== 'tcp-state') ev.vigil.fd = b.fd;

  switch (action) {
    case 'connect':
      ev.event.type = ['connection', 'start'];
      ev.network.direction = 'egress';
      if (local && b.sport !== 0) ev.source = local;
      if (remote) ev.destination = remote;
      break;
    case 'accept':
      ev.event.type = ['connection', 'start'];
      ev.network.direction = 'ingress';
      if (remote) ev.source = remote;
      if (local) ev.destination = local;
      break;
    case 'bind':
      ev.event.type = ['info'];
      if (local) ev.source = local;
      break;
    case 'listen':
      ev.event.type = ['start'];
      ev.network.direction = 'listening';
      ev.vigil.backlog = b.backlog;
      if (local) ev.source = local;
      break;
    case 'socket':
      ev.event.type = ['creation'];
      break;
    case 'tcp-state':
      ev.event.type = b.new_state === TCP_CLOSE ? ['connection', 'end'] : ['connection'];
      ev.network.direction = 'unknown';
      ev.vigil.tcp = { old_state: tcpStateName(b.old_state), new_state: tcpStateName(b.new_state) };
      if (local) ev.source = local;
      if (remote) ev.destination = remote;
      break;
    default:
      return false;
  }
  if (b.family === AF_UNIX && unixPath) ev.destination = { ...ev.destination, address: unixPath };
  if (action === 'tcp-state') ev.event.outcome = 'success';
  else setOutcome(ev, b.ret, action);
  return true;
};
