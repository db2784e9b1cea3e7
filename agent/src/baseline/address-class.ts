// A connection's destination as the network profile counts it: the class of
// the address (loopback, private, link-local, or the public /24) plus port.

function v4Class(ip: string): string | undefined {
  const o = ip.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  if (o[0] === 127) return 'loopback';
  if (o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] < 32) || (o[0] === 192 && o[1] === 168)) return 'private';
  if (o[0] === 169 && o[1] === 254) return 'link-local';
  if (o[0] === 100 && o[1] >= 64 && o[1] < 128) return 'cgnat';
  if (o[0] === 0 || o[0] >= 224) return 'special';
  return `public ${o[0]}.${o[1]}.${o[2]}.0/24`;
}

export function addressClass(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (ip.startsWith('::ffff:')) return addressClass(ip.slice(7));
  if (ip.includes('.')) return v4Class(ip) ?? 'unknown';
  const low = ip.toLowerCase();
  if (low === '::1') return 'loopback';
  if (low.startsWith('fe80:')) return 'link-local';
  if (low.startsWith('fc') || low.startsWith('fd')) return 'private';
  return `public ${low.split(':').slice(0, 3).join(':')}::/48`;
}

export const isLoopbackClass = (cls: string): boolean => cls === 'loopback';
