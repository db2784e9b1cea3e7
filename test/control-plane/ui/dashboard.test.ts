// The dashboard plug-in: static assets at `/` without auth, the API still
// behind tokens, unknown paths keep the API's JSON 404, and a bad asset
// folder fails at start with a message saying what to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../control-plane/src/app';
import { loadConfig } from '../../../control-plane/src/config';
import { dashboardExtension, defaultUiDir } from '../../../control-plane/src/ui/dashboard';

const ROOT = resolve(__dirname, '../../..');
type App = Awaited<ReturnType<typeof buildApp>>;
let app: App | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const build = (uiDir?: string) =>
  buildApp(loadConfig({ dbPath: ':memory:', logLevel: 'silent', uiDir }), { healthMonitor: false, extend: dashboardExtension });

describe('registerDashboard', () => {
  it('serves the page and its modules at / without a token, with a strict CSP', async () => {
    app = await build();
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('data-testid="alert-feed"');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    for (const asset of ['app.js', 'feed.js', 'detail.js', 'styles.css', 'router.js', 'filter-bar.js', 'host-names.js', 'incidents.js',
      'incident-detail.js', 'exception-offer.js', 'exceptions.js', 'investigation.js']) {
      const r = await app.inject({ url: `/${asset}` });
      expect(r.statusCode, asset).toBe(200);
    }
    expect((await app.inject({ url: '/app.js' })).headers['content-type']).toMatch(/javascript/);
  });

  it('leaves the API behind its tokens and unknown paths on the JSON 404', async () => {
    app = await build();
    expect((await app.inject({ url: '/v1/alerts' })).statusCode).toBe(401);
    const missing = await app.inject({ url: '/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('VIGIL_ERR_NOT_FOUND');
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/%2e%2e/package.json' })).statusCode).toBe(404);
  });

  it('serves another folder given as uiDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
    writeFileSync(join(dir, 'index.html'), '<p>custom</p>');
    app = await build(dir);
    expect((await app.inject({ url: '/' })).body).toBe('<p>custom</p>');
  });

  it('refuses a folder without index.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
    await expect(build(dir)).rejects.toThrow(/has no index.html; point --ui-dir/);
  });

  it('finds control-plane/ui from the source tree and from dist/', () => {
    expect(defaultUiDir(join(ROOT, 'control-plane/src/ui'))).toBe(join(ROOT, 'control-plane/ui'));
    expect(defaultUiDir(join(ROOT, 'dist/control-plane/src/ui'))).toBe(join(ROOT, 'control-plane/ui'));
    expect(() => defaultUiDir('/proc/self')).toThrow(/dashboard assets not found/);
  });
});
