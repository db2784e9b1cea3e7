// A benign developer/admin workload under the shared agent must not raise
// high or critical alerts: compile C, use git, tar+gzip, find, ps, ls -R,
// apt-cache and a python script. Every step runs under one bash whose pid
// identifies the workload's alerts (the bash itself, or anything below it).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, waitForEvent, type EcsEvent } from './harness';
import { isAlert } from './rule-alerts';

const HIGH = 73; // LEVEL_SCORE.high in agent/src/alerts/threat.ts
const dir = tempDir('vigil-e2e-benign-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKLOAD = `set -e
cd "$W"
printf '#include <stdio.h>\\nint main(void){puts("hi");return 0;}\\n' > hello.c
cc -O1 -o hello hello.c
mkdir repo && cd repo
git init -q .
echo hello > README
git add README
git -c user.name=vigil -c user.email=vigil@example.invalid commit -q -m init
cd "$W"
tar -cf repo.tar repo
gzip -9 repo.tar
find /etc > /dev/null 2>&1 || true
ps aux > /dev/null
ls -R /usr/share > /dev/null 2>&1 || true
apt-cache policy bash > /dev/null
/usr/bin/python3 script.py
echo workload-done # keeps bash from exec-ing python in its own place
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('benign workload', () => {
  it('raises no high or critical alert', async () => {
    writeFileSync(join(dir, 'script.py'), 'import json, hashlib\nprint(json.dumps({"sum": hashlib.sha256(b"vigil").hexdigest()}))\n');
    const r = spawnSync('/bin/bash', ['-c', WORKLOAD], { env: { ...process.env, W: dir }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"sum"');
    // The agent saw the workload: the python exec under our bash is in the stream.
    await waitForEvent((e) => e.event.action === 'exec' && e.process.executable?.includes('python3') === true &&
      (e.process.ancestors ?? []).some((a) => a.pid === r.pid), 10_000);
    await sleep(2000);
    const ours = (e: EcsEvent): boolean => isAlert(e) && (e.process?.pid === r.pid || (e.process?.ancestors ?? []).some((a) => a.pid === r.pid));
    const alerts = findEvents(ours);
    const byLevel: Record<string, number> = {};
    for (const a of alerts) {
      const level = (a as unknown as { rule: { level: string } }).rule.level;
      byLevel[level] = (byLevel[level] ?? 0) + 1;
    }
    console.log(`benign workload alerts by level: ${JSON.stringify(byLevel)} (total ${alerts.length})`);
    const high = alerts.filter((a) => (a.event.severity ?? 0) >= HIGH)
      .map((a) => `${(a as unknown as { rule: { name: string } }).rule.name} <- ${a.process.executable} ${a.process.args?.join(' ')}`);
    expect(high).toEqual([]);
  });
});
