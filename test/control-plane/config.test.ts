import { describe, expect, it } from 'vitest';
import { loadConfig, parseListen } from '../../control-plane/src/config';

describe('config', () => {
  it('fills defaults and freezes', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 7070, heartbeatIntervalMs: 10_000, maxFrameBytes: 4 * 1024 * 1024 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('coerces numeric strings and rejects out-of-range, unknown and inconsistent options', () => {
    expect(loadConfig({ heartbeatIntervalMs: '2500' }).heartbeatIntervalMs).toBe(2500);
    expect(() => loadConfig({ heartbeatIntervalMs: 'soon' })).toThrow(/heartbeatIntervalMs must be an integer/);
    expect(() => loadConfig({ port: 70000 })).toThrow(/port must be an integer in \[0, 65535\]/);
    expect(() => loadConfig({ logLevel: 'loud' })).toThrow(/logLevel must be one of/);
    expect(() => loadConfig({ tlsKey: 'k.pem' })).toThrow(/given together/);
    expect(() => loadConfig({ nope: 1 } as never)).toThrow(/unknown option "nope"/);
    expect(() => loadConfig({ queryDefaultTimeoutMs: 9000, queryMaxTimeoutMs: 1000 })).toThrow(/must not exceed/);
    try {
      loadConfig({ port: -1 });
    } catch (err) {
      expect((err as { code: string }).code).toBe('VIGIL_ERR_CONFIG_INVALID');
    }
  });

  it('parses --listen forms', () => {
    expect(parseListen('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(() => parseListen('localhost')).toThrow(/HOST:PORT/);
  });
});
