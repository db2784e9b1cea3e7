// A decoded payload piped into a shell from inside a script file: no command
// line shows the pipeline (the script's shell runs `sh x.sh`), the decoder
// and the shell are siblings. The correlation sees them (shared agent's JSONL).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitForEvent, type EcsEvent } from './harness';
import { isAlert, ruleId } from './rule-alerts';

const dir = tempDir('vigil-e2e-pipeline-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sibling pipeline', () => {
  it('base64 -d | sh inside a script raises the decoded-payload correlation on that script\'s children', async () => {
    const script = join(dir, 'update.sh');
    writeFileSync(script, `echo ${Buffer.from('exit 0\n').toString('base64')} | /usr/bin/base64 -d | /bin/sh\n`);
    const r = spawnSync('/bin/sh', [script]);
    expect(r.status).toBe(0);
    const id = ruleId('execution/decoded_payload_piped_to_shell');
    const a = await waitForEvent((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id
      && e.process?.parent?.pid === r.pid, 20_000);
    expect(['/usr/bin/base64', '/usr/bin/dash']).toContain(a.process.executable);
    expect((a.process.ancestors ?? []).map((x) => x.pid)).toContain(process.pid);
    // The pipe view: the member that exec'd last sees the whole pipeline.
    const pipeId = ruleId('execution/decoded_data_piped_into_shell');
    const p = await waitForEvent((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === pipeId
      && e.process?.parent?.pid === r.pid, 20_000);
    const trigger = (p as unknown as { vigil: { alert: { events: EcsEvent[] } } }).vigil.alert.events[0];
    const lines = (trigger.vigil.context as { pipeline: { command_lines: string[] } }).pipeline.command_lines;
    expect(lines.slice(1)).toEqual(['/usr/bin/base64 -d', '/bin/sh']);
  });
});
