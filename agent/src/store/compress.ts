// Compression of stored JSON (event bodies in blocks, process images):
// raw deflate with a preset dictionary of the text these documents repeat
// (ECS and vigil keys, common values), so even a block of a few events or
// one process image compresses well. Every blob starts with a format byte;
// the dictionary of a format never changes once released (old rows must
// stay readable): a new dictionary is a new format byte.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const FORMAT_DEFLATE_DICT1 = 1;

/** Representative documents; the dictionary is their text, most common last (closest to the data). */
const DICT1_SOURCES: unknown[] = [
  { process: { pid: 1, entity_id: '', start: '2026-01-01T00:00:00.000000000Z', parent: { pid: 1, entity_id: '', executable: '/usr/bin/bash', args: ['bash'], command_line: 'bash' }, executable: '/usr/bin/', args: [], working_directory: '/root', args_count: 1, command_line: '' }, host: { name: '', boot: { id: '' } }, user: { id: '0', name: 'root', effective: { id: '0', name: 'root' }, group: { id: '0', name: 'root' } }, vigil: { cgroup_id: '1', mnt_ns: 4026531832, pid_ns: 4026531836, loginuid: 4294967295, start_boottime_ns: '' } },
  { event: { kind: 'event', category: ['file'], action: 'open', code: 10, type: ['access'], outcome: 'failure' }, file: { path: '/etc/', mode: '0644' }, vigil: { syscall: 'openat', dirfd: -100, flags: 0, flag_names: ['O_RDONLY', 'O_WRONLY', 'O_CREAT', 'O_TRUNC', 'O_CLOEXEC'], ret: -2, errno: 'ENOENT', repeat: 1 } },
  { event: { kind: 'event', category: ['file'], action: 'create', code: 11, type: ['creation'], outcome: 'success' }, file: { path: '/tmp/', target_path: '/tmp/' }, vigil: { syscall: 'unlink', ret: 0 } },
  { event: { kind: 'event', category: ['iam'], action: 'setuid', code: 40, type: ['change'] }, vigil: { 'dup-stdio': {}, 'memfd-create': {}, ptrace: {}, bpf: {} } },
  { event: { kind: 'event', category: ['network'], action: 'accept', code: 31, type: ['connection', 'start'], outcome: 'success' }, network: { type: 'ipv4', transport: 'tcp', direction: 'ingress' }, source: { ip: '127.0.0.1', port: 0 }, destination: { ip: '127.0.0.1', port: 0 }, vigil: { family: 'AF_INET', socket_type: 'SOCK_STREAM', protocol: 6, fd: 3, ret: 0, tcp: { old_state: 'SYN_SENT', new_state: 'ESTABLISHED' } } },
  { event: { kind: 'event', category: ['process'], action: 'exit', code: 3, type: ['end'] }, process: { name: '', thread: { id: 1 }, exit_code: 0 }, vigil: { signal: 0, ts_boot_ns: '' } },
  { event: { kind: 'event', category: ['process'], action: 'fork', code: 2, type: ['start'] }, vigil: { child: { pid: 1, tid: 1, entity_id: '', start_boottime_ns: '' }, ts_boot_ns: '' } },
  { event: { kind: 'event', category: ['process'], action: 'exec', code: 1, type: ['start'], outcome: 'success' }, vigil: { ts_boot_ns: '', ret: 0, exe_ino: 1, args_size: 1, context: { stdio_socket: false, recent_outbound: false } }, process: { name: '', thread: { id: 1 }, _anc: 1, _id: 1 } },
  { '@timestamp': '~000000Z', network: { type: 'ipv4', transport: 'tcp', direction: 'egress' }, source: { ip: '127.0.0.1', port: 1 }, destination: { ip: '127.0.0.1', port: 1 }, event: { kind: 'event', category: ['network'], action: 'connect', code: 30, type: ['connection', 'start'], outcome: 'success' }, vigil: { ts_boot_ns: '', family: 'AF_INET', socket_type: 'SOCK_STREAM', protocol: 6, fd: 4, ret: 0, context: { stdio_socket: false, recent_outbound: true, outbound_peers: ['127.0.0.1:'] } }, process: { name: '', thread: { id: 1 }, _anc: 1, _id: 1 } },
];
const DICT1 = Buffer.from(DICT1_SOURCES.map((d) => JSON.stringify(d)).join('\n'));

/** Compressed text: one format byte, then raw deflate against the format's dictionary. */
export function pack(text: string): Buffer {
  const z = deflateRawSync(text, { dictionary: DICT1, level: 6 });
  const out = Buffer.allocUnsafe(z.length + 1);
  out[0] = FORMAT_DEFLATE_DICT1;
  z.copy(out, 1);
  return out;
}

export class StoreFormatError extends Error {}

export function unpack(blob: Buffer | string): string {
  if (typeof blob === 'string') return blob; // text written before compression
  if (blob[0] !== FORMAT_DEFLATE_DICT1) throw new StoreFormatError(`unknown stored blob format ${blob[0]}; this history was written by a newer Vigil`);
  return inflateRawSync(blob.subarray(1), { dictionary: DICT1 }).toString('utf8');
}
