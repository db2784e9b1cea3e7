// Names for the numbers in vigil_net_body: address families, socket types,
// IP protocols and TCP states (Linux uapi values).

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

const FAMILIES: Record<number, string> = {
  0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 3: 'AF_AX25', 4: 'AF_IPX', 5: 'AF_APPLETALK',
  9: 'AF_X25', 10: 'AF_INET6', 15: 'AF_KEY', 16: 'AF_NETLINK', 17: 'AF_PACKET', 21: 'AF_RDS',
  29: 'AF_CAN', 30: 'AF_TIPC', 31: 'AF_BLUETOOTH', 38: 'AF_ALG', 40: 'AF_VSOCK', 44: 'AF_XDP', 45: 'AF_MCTP',
};

const SOCK_TYPES: Record<number, string> = {
  1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 6: 'SOCK_DCCP', 10: 'SOCK_PACKET',
};

const IP_PROTOCOLS: Record<number, string> = {
  1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 58: 'ipv6-icmp',
  132: 'sctp', 136: 'udplite', 255: 'raw', 262: 'mptcp',
};

const TCP_STATES: Record<number, string> = {
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'NEW_SYN_RECV', 13: 'BOUND_INACTIVE',
};

export function familyName(n: number): string {
  return FAMILIES[n] ?? `AF_${n}`;
}

export function socketTypeName(n: number): string {
  return SOCK_TYPES[n] ?? `SOCK_${n}`;
}

export function tcpStateName(n: number): string {
  return TCP_STATES[n] ?? `TCP_${n}`;
}

/** ECS network.transport for an inet socket; protocol 0 means "the type's default". */
export function transportName(family: number, type: number, protocol: number): string | undefined {
  if (family !== AF_INET && family !== AF_INET6) return undefined;
  if (protocol !== 0) return IP_PROTOCOLS[protocol] ?? String(protocol);
  if (type === 1) return 'tcp';
  if (type === 2) return 'udp';
  return type === 3 ? 'raw' : undefined;
}

/** ECS network.type. */
export function networkType(family: number): string | undefined {
  if (family === AF_INET) return 'ipv4';
  if (family === AF_INET6) return 'ipv6';
  if (family === AF_UNIX) return 'unix';
  return undefined;
}
