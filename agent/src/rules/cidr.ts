// CIDR matching for the `cidr` modifier, IPv4 and IPv6. Addresses become
// 16-byte arrays; IPv4 and IPv4-mapped IPv6 (::ffff:a.b.c.d) share a form
// so a v4 CIDR also matches a v4 peer reported on a dual-stack socket.

function parseV4(s: string): number[] | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  const out: number[] = [];
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) return null;
    out.push(Number(x));
  }
  return out;
}

/** 16 bytes, or null when `s` is not an IP address. */
export function parseIp(s: string): Uint8Array | null {
  const ip = s.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ip.includes(':')) {
    const v4 = parseV4(ip);
    return v4 ? Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]) : null;
  }
  let head = ip;
  let tail4: number[] = [];
  const lastColon = ip.lastIndexOf(':');
  if (ip.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(ip.slice(lastColon + 1));
    if (!v4) return null;
    tail4 = v4;
    head = ip.slice(0, lastColon + 1) + '0:0'; // placeholder groups, overwritten below
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - left.length - right.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return null;
  const all = [...left, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return null;
    const n = parseInt(all[i], 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (tail4.length) out.set(tail4, 12);
  return out;
}

/** A predicate for `cidr`, or null when the CIDR text is invalid. */
export function compileCidr(cidr: string): ((ip: string) => boolean) | null {
  const slash = cidr.indexOf('/');
  const addrText = slash < 0 ? cidr : cidr.slice(0, slash);
  const net = parseIp(addrText);
  if (!net) return null;
  const isV4 = !addrText.includes(':');
  const maxBits = isV4 ? 32 : 128;
  const bitsText = slash < 0 ? String(maxBits) : cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > maxBits) return null;
  const bits = Number(bitsText) + (isV4 ? 96 : 0);
  return (ipText) => {
    const ip = parseIp(ipText);
    if (!ip) return false;
    for (let b = 0; b < bits; b += 8) {
      const take = Math.min(8, bits - b);
      const mask = (0xff << (8 - take)) & 0xff;
      if ((ip[b >> 3] & mask) !== (net[b >> 3] & mask)) return false;
    }
    return true;
  };
}
