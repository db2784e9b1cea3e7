// The live dashboard: static, already-built assets (plain HTML/CSS/ES
// modules) served at `/` without auth. The page asks for a token itself and
// every API call and the alert stream still require it.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppExtension } from '../app';
import { VigilError } from '../errors';

const UI_REL = join('control-plane', 'ui');

/**
 * `control-plane/ui/` under the package root, found by walking up from this
 * file, so it resolves the same from `control-plane/src/ui/` (tests) and
 * from `dist/control-plane/src/ui/` (the built CLI).
 */
export function defaultUiDir(from = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, UI_REL, 'index.html'))) return join(dir, UI_REL);
    if (dirname(dir) === dir) break;
  }
  throw new VigilError('CONFIG_INVALID', `dashboard assets not found above ${from}; reinstall the package or pass --ui-dir`);
}

export interface DashboardOptions {
  /** Folder holding index.html and its assets (default: the package's control-plane/ui/). */
  root?: string;
}

export async function registerDashboard(app: FastifyInstance, opts: DashboardOptions = {}): Promise<void> {
  const root = resolve(opts.root ?? defaultUiDir());
  if (!existsSync(join(root, 'index.html'))) {
    throw new VigilError('CONFIG_INVALID', `dashboard folder ${root} has no index.html; point --ui-dir at the dashboard assets`);
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    // One route per file found at start-up, no catch-all: unknown paths keep
    // the API's JSON 404 and nothing outside `root` can ever be addressed.
    wildcard: false,
    decorateReply: false,
    cacheControl: true,
    maxAge: 0,
    setHeaders: (reply) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy',
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
    },
  });
}

/** For buildApp's `extend` / the CLI's `extendApp`: the dashboard at `/`, from --ui-dir when given. */
export const dashboardExtension: AppExtension = (app, config) => registerDashboard(app, { root: config.uiDir });
