// What the agent says about itself in AgentHello: host_id from
// /etc/machine-id, hostname, kernel release (uname -r), the package
// version, and capabilities. Every part can be overridden by the caller.
import { existsSync, readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { dirname, join } from 'node:path';
import type { AgentHello, Capability } from '../../../proto/src';
import { PROTOCOL_VERSION } from '../../../proto/src/version';
import { TransportConfigError } from './errors';

const HOST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

export const DEFAULT_CAPABILITIES: Capability[] = [
  'CAPABILITY_PROCESS', 'CAPABILITY_FILE', 'CAPABILITY_NETWORK', 'CAPABILITY_PRIVILEGE', 'CAPABILITY_QUERY',
];

export function readMachineId(files: readonly string[] = MACHINE_ID_FILES): string | undefined {
  for (const f of files) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (HOST_ID_RE.test(id)) return id;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

/** Version of the package.json above this file (src or dist). */
export function agentVersion(): string {
  let dir = __dirname;
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const v = (JSON.parse(readFileSync(p, 'utf8')) as { version?: unknown }).version;
        if (typeof v === 'string') return v;
      } catch {
        // fall through to the parent
      }
    }
    const up = dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

export function buildHello(over: Partial<AgentHello> = {}, forwardEvents = false): AgentHello {
  const hostId = over.host_id ?? readMachineId();
  if (!hostId) {
    throw new TransportConfigError('host_id', 'no /etc/machine-id; run `systemd-machine-id-setup` or pass hello.host_id');
  }
  if (!HOST_ID_RE.test(hostId)) {
    throw new TransportConfigError('host_id', `"${hostId}" must be 1-128 chars of [A-Za-z0-9._:-]`);
  }
  const caps = over.capabilities ?? [...DEFAULT_CAPABILITIES, ...(forwardEvents ? ['CAPABILITY_EVENT_STREAM' as const] : [])];
  return {
    host_id: hostId,
    hostname: over.hostname ?? hostname(),
    kernel: over.kernel ?? release(),
    agent_version: over.agent_version ?? agentVersion(),
    capabilities: caps,
    protocol_major: PROTOCOL_VERSION.major,
    protocol_minor: PROTOCOL_VERSION.minor,
  };
}
