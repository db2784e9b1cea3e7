// What the kernel's read watch must hold, derived from rules. The default
// set must bound its file_access rules by name (or the read filter is off
// and the default profile ships every read); the derivation must answer
// `all` whenever a rule could match a path it cannot name.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileDoc } from '../../agent/src/rules/rule-compiler';
import { RuleEngine } from '../../agent/src/rules';
import type { CompiledRule } from '../../agent/src/rules/types';

const rule = (yaml: string): CompiledRule => {
  const r = compileDoc(parse(`title: t\n${yaml}`), 'x.yml', 1, 'x');
  if (r.kind !== 'rule') throw new Error('not a plain rule');
  return r;
};

const access = (detection: string) => rule(`logsource: { product: linux, category: file_access }\ndetection:\n${detection}`);

describe('read watch derivation', () => {
  it('the default rules name exactly the files and directories their reads need', () => {
    const e = new RuleEngine({ dirs: [join(__dirname, '../../rules')], watch: false, sighup: false });
    const need = e.ruleSet.readNeed();
    expect(need.kind).toBe('names');
    if (need.kind !== 'names') return;
    expect(need.files).toEqual(expect.arrayContaining(['shadow', 'gshadow', 'sudoers', 'id_rsa', 'id_ed25519', 'credentials', 'config.json', '.netrc']));
    expect(need.dirs).toEqual(['ssh', 'sudoers.d']);
    expect(need.files).not.toContain('passwd');
  });

  it('equals, endswith, startswith and anchored regexes become names', () => {
    expect(access(`  s: { TargetFilename: ['/etc/shadow', '/root/.ssh/*'] }\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: ['shadow'], dirs: ['.ssh'] });
    expect(access(`  s: { TargetFilename|endswith: '/.kube/config' }\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: ['config'], dirs: [] });
    expect(access(`  s: { TargetFilename|startswith: '/etc/cron.d/' }\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: [], dirs: ['cron.d'] });
    expect(access(`  s: { TargetFilename|re: '^/proc/[0-9]+/environ$' }\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: ['environ'], dirs: [] });
    expect(access(`  s: { TargetFilename|re: '/etc/ssh/ssh_host_[a-z]+_key$' }\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: [], dirs: ['ssh'] });
  });

  it('an AND is bounded by any path test in it; a filter does not widen it', () => {
    const r = access(`  s: { TargetFilename: '/etc/shadow' }\n  f: { Image|endswith: '/sshd' }\n  condition: s and not f`);
    expect(r.readNeed).toEqual({ kind: 'names', files: ['shadow'], dirs: [] });
    expect(access(`  s:\n    Image|endswith: '/cat'\n    TargetFilename|endswith: '/id_rsa'\n  condition: s`).readNeed)
      .toEqual({ kind: 'names', files: ['id_rsa'], dirs: [] });
  });

  it('answers all when a rule could match a path it cannot name', () => {
    const cases = [
      `  s: { TargetFilename|contains: '/.ssh/' }\n  condition: s`,
      `  s: { TargetFilename|endswith: '.pem' }\n  condition: s`,
      `  s: { Image|endswith: '/nc' }\n  condition: s`,
      `  s: { TargetFilename: '/etc/shadow' }\n  f: { Image: '/bin/x' }\n  condition: s or f`,
      `  f: { TargetFilename: '/etc/shadow' }\n  condition: not f`,
      `  s: ['secret']\n  condition: s`,
      `  s: { TargetFilename|re: '^/home/.*/notes$' }\n  condition: s`.replace('notes$', 'no.tes'),
      `  s: { TargetFilename|startswith: '/' }\n  condition: s`,
    ];
    for (const c of cases) expect(access(c).readNeed.kind, c).toBe('all');
  });

  it('rules that never see a read-only open need none', () => {
    expect(rule(`logsource: { product: linux, category: file_event }\ndetection:\n  s: { Image: '/x' }\n  condition: s`).readNeed).toEqual({ kind: 'none' });
    expect(rule(`logsource: { product: linux, category: process_creation }\ndetection:\n  s: { Image: '/x' }\n  condition: s`).readNeed).toEqual({ kind: 'none' });
    // product: vigil sees every action, reads included.
    expect(rule(`logsource: { product: vigil }\ndetection:\n  s: { Image: '/x' }\n  condition: s`).readNeed.kind).toBe('all');
  });
});
