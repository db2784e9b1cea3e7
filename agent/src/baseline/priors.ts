// How much a first sighting of each kind tells a defender. Rarity alone
// cannot tell "root ran nproc for the first time" from "root ran nsenter for
// the first time": both are one new program. What an attacker needs (a
// connection out, a credential read, a debugger, a binary run from /tmp, a
// write under /etc) weighs more than what any admin does on a new day (a new
// command-line shape, a scratch file in /tmp). The score of an observation is
// its rarity times this weight (scoring.ts); docs/baseline.md lists them.
import type { Observation } from './observations';

/**
 * Dual-use programs (GTFOBins, LOLBAS-style): transfer, tunnels, encoding,
 * debuggers and tracers, namespaces, accounts, kernel modules, log wiping.
 * Their first run on a host is worth a look; the first run of `nproc` is not.
 */
const DUAL_USE = new Set([
  'nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', 'socat', 'nmap', 'masscan', 'zmap', 'tcpdump', 'tshark', 'dumpcap',
  'ssh', 'scp', 'sftp', 'sshpass', 'telnet', 'ftp', 'tftp', 'rsync', 'wget', 'curl', 'aria2c', 'proxychains', 'chisel', 'ngrok',
  'base64', 'base32', 'basenc', 'xxd', 'uudecode', 'uuencode', 'openssl', 'gpg',
  'gdb', 'strace', 'ltrace', 'perf', 'bpftool', 'bpftrace', 'insmod', 'rmmod', 'modprobe', 'kmod',
  'nsenter', 'unshare', 'chroot', 'capsh', 'setcap', 'setpriv', 'pkexec', 'su', 'sudo', 'doas',
  'useradd', 'userdel', 'usermod', 'adduser', 'deluser', 'groupadd', 'gpasswd', 'passwd', 'chpasswd', 'visudo', 'vipw',
  'crontab', 'at', 'systemd-run', 'chattr', 'shred', 'truncate', 'wipe', 'srm', 'history',
  'mkfifo', 'mknod', 'busybox', 'setsid', 'debugfs', 'dmsetup', 'losetup', 'iptables', 'ip6tables', 'nft', 'ufw',
  'getent', 'lscpu', 'lsmod', 'dmidecode', 'lshw', 'arp', 'route', 'netstat', 'ss', 'ifconfig', 'iwconfig',
  'xmrig', 'minerd', 'cpuminer', 'john', 'hashcat', 'hydra', 'mimipenguin', 'linpeas.sh', 'pspy',
]);

/** Exe paths no packaged program lives at: world-writable, hidden, anonymous. */
const ODD_EXE = /^(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/run\/user\/|\/memfd:|\/proc\/)|\/\.[^/]+|\(deleted\)$/;
/** Where persistence and system state live. */
const SYSTEM_DIR = /^(\/etc|\/usr|\/boot|\/lib|\/lib64|\/bin|\/sbin|\/var\/spool\/cron|\/var\/www|\/root\/\.ssh|\/home\/[^/]+\/\.ssh)(\/|$)|^\/root$|^\/home\/[^/]+$/;
const TEMP_DIR = /^(\/tmp|\/var\/tmp|\/dev\/shm|\/run\/user)(\/|$)/;
const STRONG_PRIVILEGE = new Set(['ptrace', 'module-load', 'bpf', 'memfd-create', 'setns', 'mount']);

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

export const WEIGHT = Object.freeze({
  unusualProgram: 1.3,
  program: 0.7,
  cmdline: 0.6,
  network: 1.25,
  listen: 1.0,
  systemWrite: 1.3,
  tempWrite: 0.5,
  write: 0.8,
  sensitiveRead: 1.3,
  strongPrivilege: 1.3,
  privilege: 1.0,
});

/** An exe a first sighting of which weighs as an attacker's: dual-use, or run from an odd place. */
export function isUnusualProgram(exe: string): boolean {
  return ODD_EXE.test(exe) || DUAL_USE.has(base(exe));
}

export function priorWeight(o: Observation): number {
  switch (o.profile) {
    case 'exe':
    case 'user-exe':
    case 'service-exe':
    case 'lineage':
      return isUnusualProgram(o.value) ? WEIGHT.unusualProgram : WEIGHT.program;
    case 'cmdline':
      return WEIGHT.cmdline;
    case 'net-dest':
    case 'net-first':
      return o.value.startsWith('unix ') ? WEIGHT.listen : WEIGHT.network;
    case 'listen':
      return WEIGHT.listen;
    case 'file-write':
      return SYSTEM_DIR.test(o.value) ? WEIGHT.systemWrite : TEMP_DIR.test(o.value) ? WEIGHT.tempWrite : WEIGHT.write;
    case 'file-read':
      return WEIGHT.sensitiveRead;
    case 'privilege':
      return STRONG_PRIVILEGE.has(o.value) ? WEIGHT.strongPrivilege : WEIGHT.privilege;
  }
}

/**
 * Package managers and their maintainer scripts install what was never on
 * the host by design: their subtrees learn but are not scored (the default
 * rules still watch them).
 */
const PACKAGE_MANAGERS = new Set(['dpkg', 'apt', 'apt-get', 'aptitude', 'unattended-upgrade', 'rpm', 'dnf', 'yum', 'zypper', 'apk', 'pacman']);

export function isPackageManager(exe: string | undefined): boolean {
  return exe !== undefined && PACKAGE_MANAGERS.has(base(exe));
}
