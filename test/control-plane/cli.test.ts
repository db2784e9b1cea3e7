import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerControlPlaneCommands } from '../../control-plane/src/cli';
import { AuditStore } from '../../control-plane/src/store/audit-store';
import { openDb } from '../../control-plane/src/store/db';
import { TokenStore } from '../../control-plane/src/store/token-store';

let dir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  vi.spyOn(process, 'exit').mockImplementation((code) => { throw new Error(`exit ${code}`); });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerControlPlaneCommands(program);
  await program.parseAsync(['node', 'vigil', ...args]);
}

describe('vigil token', () => {
  it('create prints the token once; list shows it without the secret; revoke disables it', async () => {
    const db = join(dir, 'cp.db');
    await run('token', 'create', '--role', 'responder', '--name', 'alice', '--db', db);
    const token = out.join('').trim();
    expect(token).toMatch(/^vigil_responder_[A-Za-z0-9_-]{43}$/);
    expect(err.join('')).toMatch(/created tok_[0-9a-f]{12} \(role responder\)/);

    out.length = 0;
    await run('token', 'list', '--db', db, '--json');
    const [info] = JSON.parse(out.join(''));
    expect(info).toMatchObject({ name: 'alice', role: 'responder', revoked_at: null });
    expect(out.join('')).not.toContain(token);

    const open = () => { const d = openDb(db); return { d, t: new TokenStore(d, new AuditStore(d)) }; };
    let s = open();
    expect(s.t.verify(token)?.id).toBe(info.id);
    s.d.close();

    out.length = 0;
    await run('token', 'revoke', info.id, '--db', db);
    expect(out.join('')).toContain(`revoked ${info.id}`);
    s = open();
    expect(s.t.verify(token)).toBeUndefined();
    expect(new AuditStore(s.d).list().map((e) => e.action)).toEqual(['token.revoke', 'token.create']);
    s.d.close();
  });

  it('fails with a clear message for a bad role or unknown id', async () => {
    const db = join(dir, 'cp.db');
    await expect(run('token', 'create', '--role', 'root', '--db', db)).rejects.toThrow('exit 1');
    expect(err.join('')).toContain('--role must be one of agent, viewer, responder, admin');
    await expect(run('token', 'revoke', 'tok_missing', '--db', db)).rejects.toThrow('exit 1');
    expect(err.join('')).toContain('VIGIL_ERR_TOKEN_NOT_FOUND');
  });

  it('control-plane rejects bad options before starting', async () => {
    await expect(run('control-plane', '--listen', 'nonsense', '--db', join(dir, 'x.db'))).rejects.toThrow('exit 2');
    expect(err.join('')).toContain('--listen must be HOST:PORT');
    err.length = 0;
    await expect(run('control-plane', '--tls-cert', '/nope.pem', '--db', join(dir, 'x.db'))).rejects.toThrow('exit 2');
    expect(err.join('')).toContain('--tls-cert and --tls-key must be given together');
  });
});
