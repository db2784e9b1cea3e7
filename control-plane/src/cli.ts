// `vigil control-plane` and `vigil token ...`. The lead wires
// registerControlPlaneCommands into cli/vigil.ts.
import type { Command } from 'commander';
import type { AppExtension } from './app';
import { loadConfig, parseListen } from './config';
import { isVigilError } from './errors';
import { startServer } from './server';
import { AuditStore } from './store/audit-store';
import { openDb } from './store/db';
import { isRole, ROLES, TokenStore, type Role } from './store/token-store';

const DEFAULT_DB = 'vigil-control-plane.db';

function fail(err: unknown): never {
  const msg = isVigilError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
  process.stderr.write(`vigil: ${msg}\n`);
  process.exit(isVigilError(err, 'CONFIG_INVALID') ? 2 : 1);
}

function withTokens<T>(dbPath: string, fn: (tokens: TokenStore) => T): T {
  const db = openDb(dbPath);
  try {
    return fn(new TokenStore(db, new AuditStore(db)));
  } finally {
    db.close();
  }
}

export interface ControlPlaneCommandOptions {
  /** Registers extra plug-ins on the app, e.g. the dashboard (gets Config, with uiDir from --ui-dir). */
  extendApp?: AppExtension;
}

export function registerControlPlaneCommands(program: Command, opts: ControlPlaneCommandOptions = {}): void {
  program.command('control-plane')
    .description('run the Vigil control plane (REST, agent and alert-stream WebSockets)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7070')
    .option('--db <path>', 'SQLite database', DEFAULT_DB)
    .option('--tls-cert <path>', 'PEM certificate (with --tls-key) to serve HTTPS/WSS')
    .option('--tls-key <path>', 'PEM private key')
    .option('--insecure-plaintext', 'serve plain HTTP/WS off loopback (behind a TLS-terminating proxy only); otherwise a certificate is generated')
    .option('--heartbeat-interval <ms>', 'expected agent heartbeat interval; 3 missed = offline', '10000')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .option('--ui-dir <path>', 'dashboard assets folder (passed to the extendApp plug-in as config.uiDir)')
    .option('--nats <url>', 'run as a fleet replica on this NATS JetStream server (nats://host:port); default: embedded, no NATS')
    .option('--nats-max-pending <n>', 'JetStream publishes awaiting their ack before new ones wait', '4096')
    .action(async (o: Record<string, string | undefined>) => {
      try {
        const config = loadConfig({
          ...parseListen(o.listen ?? '127.0.0.1:7070'), dbPath: o.db, tlsCert: o.tlsCert, tlsKey: o.tlsKey,
          tlsMode: o.insecurePlaintext ? 'off' : 'auto', heartbeatIntervalMs: o.heartbeatInterval, logLevel: o.logLevel, uiDir: o.uiDir,
          natsUrl: o.nats, natsMaxPending: o.natsMaxPending,
        });
        await startServer(config, { handleSignals: true, extend: opts.extendApp });
      } catch (err) {
        fail(err);
      }
    });

  const token = program.command('token').description('manage control plane API tokens');
  token.command('create')
    .description('create a token; it is printed once and stored only as a hash')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'label shown by token list')
    .option('--db <path>', 'SQLite database', DEFAULT_DB)
    .action((o: { role: string; name?: string; db: string }) => {
      try {
        if (!isRole(o.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${o.role}"`);
        const { token: secret, info } = withTokens(o.db, (t) => t.create(o.role as Role, o.name));
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`created ${info.id} (role ${info.role}); store it now, it cannot be shown again\n`);
      } catch (err) {
        fail(err);
      }
    });
  token.command('revoke <id>')
    .description('revoke a token by id')
    .option('--db <path>', 'SQLite database', DEFAULT_DB)
    .action((id: string, o: { db: string }) => {
      try {
        const info = withTokens(o.db, (t) => t.revoke(id));
        process.stdout.write(`revoked ${info.id} (${info.role}) at ${info.revoked_at}\n`);
      } catch (err) {
        fail(err);
      }
    });
  token.command('list')
    .description('list tokens (never their secrets)')
    .option('--db <path>', 'SQLite database', DEFAULT_DB)
    .option('--json', 'print JSON')
    .action((o: { db: string; json?: boolean }) => {
      try {
        const list = withTokens(o.db, (t) => t.list());
        if (o.json) return void process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        for (const t of list) {
          process.stdout.write(`${t.id}\t${t.role}\t${t.name}\t${t.created_at}\t${t.revoked_at ? 'revoked ' + t.revoked_at : 'active'}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
