import { describe, expect, it } from 'vitest';
import {
  parseCgroupFile, parseCmdline, parseNetInodes, parseStat, parseStatus, socketInode,
} from '../../agent/src/process/proc-parse';

const tail = (start: string) =>
  `S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 1000 200 18446744073709551615 1 1 0 0 0 0 0`;

describe('proc parsers', () => {
  it('parseStat splits at the last ")" so odd comms survive', () => {
    expect(parseStat(`4242 (we (ird) name) ${tail('987654')}`)).toEqual({
      comm: 'we (ird) name', state: 'S', ppid: 1, flags: 4194560, startTicks: 987654n,
    });
    expect(parseStat('4242 (x) S 1')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseStat(`1 (x) ${tail('12x')}`)).toBeUndefined();
  });

  it('parseStatus reads real/effective/saved/fs ids', () => {
    const s = parseStatus('Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n');
    expect(s.uids).toEqual({ real: 1000, effective: 0, saved: 0, fs: 0 });
    expect(s.gids?.real).toBe(100);
    expect(parseStatus('Name: x\nUid:\tbad').uids).toBeUndefined();
  });

  it('parseCmdline splits on NUL and drops title padding', () => {
    expect(parseCmdline(Buffer.from('nc\0-e\0/bin/sh\0'))).toEqual(['nc', '-e', '/bin/sh']);
    expect(parseCmdline(Buffer.from('node (vitest 1)\0\0\0\0'))).toEqual(['node (vitest 1)']);
    expect(parseCmdline(Buffer.alloc(0))).toEqual([]);
  });

  it('parseCgroupFile finds the v2 line among v1 lines', () => {
    const c = parseCgroupFile('4:memory:/docker/abc\n0::/system.slice/x.service\nnot a line\n');
    expect(c).toEqual({ v2: '/system.slice/x.service', paths: ['/docker/abc', '/system.slice/x.service'] });
  });

  it('socket inodes from fd links and net tables', () => {
    expect(socketInode('socket:[31337]')).toBe(31337n);
    expect(socketInode('pipe:[31337]')).toBeUndefined();
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20411 1 0000000000000000 100 0 0 10 0',
      '',
    ].join('\n');
    expect(parseNetInodes(table)).toEqual([20411n]);
  });
});
