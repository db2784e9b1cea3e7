// The benign corpus: ordinary work on this machine kind, in two rounds that
// do the same kinds of things differently. The evaluation learns on round 1
// and counts false positives on round 2, which it never learned from.
// No systemd or cron daemon runs on this VM kind: the cron part runs what
// cron would (run-parts /etc/cron.daily), the service part restarts the
// web server.
export const WEB_PORT = 8089;

const admin1 = `
cd "$ROOT"; git status --short >/dev/null; git log --oneline -5 >/dev/null; git diff --stat HEAD~1 >/dev/null
grep -rn TODO agent/src | head -3 >/dev/null; less -F README.md </dev/null >/dev/null
cp README.md $W/notes.md; vim -es -c '%s/Vigil/vigil/g' -c 'wq' $W/notes.md
ls -la /etc >/dev/null; df -h >/dev/null; du -sh /var/log 2>/dev/null >/dev/null; ps aux >/dev/null; top -bn1 | head -5 >/dev/null
ssh-keygen -t ed25519 -N '' -q -f $W/key1; rm -f $W/key1 $W/key1.pub
find /etc -name '*.conf' | head -5 >/dev/null; uptime >/dev/null; free -m >/dev/null; id >/dev/null; hostname >/dev/null; date >/dev/null
`;
const admin2 = `
cd "$ROOT"; git show --stat HEAD >/dev/null; git blame -L 1,5 README.md >/dev/null; git log -3 --format=%an >/dev/null
grep -rln import control-plane/src | head -3 >/dev/null; less -F Makefile </dev/null >/dev/null
cp Makefile $W/mk.txt; vim -es -c 'g/^#/d' -c 'wq' $W/mk.txt
ls -la /var/log >/dev/null; df -i >/dev/null; ps -ef >/dev/null; top -bn1 | tail -3 >/dev/null
ssh-keygen -t ed25519 -N '' -q -f $W/key2 -C backup; rm -f $W/key2 $W/key2.pub
find /usr/share/doc -maxdepth 1 -name 'lib*' | head -5 >/dev/null; uptime >/dev/null; free -h >/dev/null; whoami >/dev/null; date -u >/dev/null
tar czf $W/docs-backup.tgz docs 2>/dev/null; rm -f $W/docs-backup.tgz
`;
const build1 = `cd "$ROOT"; npx tsc -p tsconfig.json --noEmit; npx vitest run test/rules --reporter=dot >/dev/null 2>&1; for f in test/helpers/*.c; do cc -O2 -c "$f" -o $W/$(basename "$f").o; done`;
const build2 = `cd "$ROOT"; npx vitest run test/store test/decode --reporter=dot >/dev/null 2>&1; for f in bench/workloads/*.c; do cc -O2 -c "$f" -o $W/$(basename "$f").o; done; make -n >/dev/null 2>&1; true`;
const web = (paths, n) => `for i in $(seq ${n}); do for p in ${paths}; do curl -s -m 5 -o /dev/null http://127.0.0.1:${WEB_PORT}/$p; done; done`;
const apt = (pkg) => `apt-get install -y -q ${pkg} >/dev/null 2>&1 && apt-get remove -y -q ${pkg} >/dev/null 2>&1; true`;
// What cron would run (apt-compat only sleeps a random while without systemd: skipped).
const cron = `run-parts --list /etc/cron.daily >/dev/null; /etc/cron.daily/dpkg >/dev/null 2>&1; timeout 120 /etc/cron.daily/man-db >/dev/null 2>&1; test -e /run/systemd/system || SERVICE_MODE=1 timeout 60 /sbin/e2scrub_all -A -r >/dev/null 2>&1; true`;
const tools1 = `cd "$ROOT"; man ls | head -3 >/dev/null; apt-cache policy bash >/dev/null; dpkg -l | wc -l >/dev/null; tail -n 20 /var/log/dpkg.log >/dev/null 2>&1
lsof -p $$ >/dev/null 2>&1; jq . package.json >/dev/null; node -e 'console.log(1)' >/dev/null; python3 -c 'print(1)' >/dev/null; curl -sI http://127.0.0.1:${WEB_PORT}/ >/dev/null
ls node_modules | wc -l >/dev/null; wc -l agent/src/*/*.ts | tail -1 >/dev/null; sort README.md | uniq -c | sort -rn | head -3 >/dev/null; true`;
const tools2 = `cd "$ROOT"; man grep | head -3 >/dev/null; apt-cache show coreutils >/dev/null; dpkg -L bash | head >/dev/null; tail -n 5 /var/log/apt/history.log >/dev/null 2>&1
lsof -i -n -P >/dev/null 2>&1; jq .scripts package.json >/dev/null; node -e 'process.exit(0)'; python3 -c 'import json;print(json.dumps({}))' >/dev/null; curl -s http://127.0.0.1:${WEB_PORT}/a.txt >/dev/null
ls -R docs | wc -l >/dev/null; grep -c export agent/src/store/*.ts >/dev/null; diff README.md README.md; true`;

/** [name, script] per step; $ROOT is the repo, $W a scratch dir, the web server runs throughout. */
/**
 * Interactive admin work: commands drawn from one pool. Learning sessions
 * draw from its first 60; held-out sessions from all of it, so about one
 * command in seven is one the baseline never saw, as on a real host.
 */
const POOL = [
  'ls -la /etc', 'df -h', 'free -m', 'uptime', 'id', 'whoami', 'hostname', 'date -u', 'ps aux', 'ps -ef',
  'top -bn1', 'uname -r', 'cat /etc/hostname', 'cat /etc/os-release', 'head -5 /etc/passwd', 'tail -5 /var/log/dpkg.log',
  'wc -l README.md', 'grep -rn TODO agent/src', 'grep -c export agent/src/store/event-store.ts', 'find /etc -name "*.conf"',
  'du -sh /var/log', 'stat README.md', 'file /bin/ls', 'which node', 'env', 'printenv PATH', 'echo $SHELL', 'sort README.md',
  'uniq -c README.md', 'cut -d: -f1 /etc/passwd', 'awk -F: "{print \$1}" /etc/passwd', 'sed -n 1,3p README.md', 'less -F README.md',
  'man ls', 'git status --short', 'git log --oneline -5', 'git diff --stat HEAD~1', 'git show --stat HEAD', 'git branch -a',
  'jq .name package.json', 'node -e 1', 'python3 -c "print(1)"', 'curl -sI http://127.0.0.1:8089/', 'ip -br a', 'ss -tln',
  'lsof -p $$', 'mount', 'lsblk', 'dpkg -l', 'apt-cache policy bash', 'tar tzf /dev/null', 'md5sum README.md', 'sha256sum README.md',
  'basename /a/b', 'dirname /a/b', 'readlink -f .', 'realpath .', 'tr a-z A-Z < README.md', 'diff README.md README.md', 'xargs echo < /dev/null',
  // the last ten only ever appear in held-out sessions
  'vim -es -c q README.md', 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub', 'nproc', 'getconf PAGESIZE', 'locale', 'tee /dev/null < README.md',
  'openssl version', 'tac README.md', 'column -t /etc/fstab', 'seq 3',
];

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
function session(n, poolSize) {
  const cmds = Array.from({ length: n }, () => POOL[Math.floor(rand() * poolSize)]);
  return `cd "$ROOT"\n${cmds.map((c) => `${c} >/dev/null 2>&1 </dev/null`).join('\n')}\ntrue`;
}

/** One "day" of learning: the same kinds of work, fresh admin sessions each day. */
const day = () => [
  ['admin session', session(40, 60)], ['web requests', web('index.html cgi-bin/status.sh', 60)], ['admin shell', admin1], ['admin tools', tools1],
  ['build and test', build1], ['admin session', session(40, 60)], ['apt install/remove', apt('sl')], ['cron daily', cron],
  ['web requests again', web('a.txt cgi-bin/status.sh', 40)], ['service restart', 'RESTART_WEB'], ['admin session', session(40, 60)],
  ['build and test again', build2], ['admin shell again', admin1], ['web requests again', web('b.txt index.html', 30)],
];
/** Seconds a host sits idle between held-out bursts of work. */
export const IDLE_S = Number(process.env.VIGIL_EVAL_IDLE_S ?? 360);
const heldOut = (apt1) => [
  ['admin session', session(30, POOL.length)], ['web requests', web('b.txt index.html cgi-bin/status.sh', 40)], ['admin tools', tools2],
  ['service restart', 'RESTART_WEB'], ['build and test', build2], ['apt install/remove', apt(apt1)], ['cron daily', cron],
  ['admin session', session(30, POOL.length)], ['web requests again', web('cgi-bin/status.sh a.txt', 40)], ['admin shell', admin2],
];
export const ROUNDS = [
  // Learning: three days.
  [...day(), ...day(), ...day()],
  // Held out: three bursts of work with the host idle between them, so the
  // false-positive rate is per hour of host time, not per minute of a burst.
  [...heldOut('figlet'), ['idle', `IDLE`], ...heldOut('cowsay'), ['idle', 'IDLE'], ...heldOut('fortune-mod')],
];
