import { describe, expect, it } from 'vitest';
import { argsTemplate, dirTemplate, pathTemplate } from '../../agent/src/baseline/templates';
import { addressClass } from '../../agent/src/baseline/address-class';

describe('templates', () => {
  it('masks generated path parts and keeps meaningful names', () => {
    expect(pathTemplate('/tmp/ccA1b2C3.o')).toBe('/tmp/<rand>');
    expect(pathTemplate('/opt/x/ccA1b2C3.o')).toBe('/opt/x/<rand>.o');
    expect(pathTemplate('/tmp/vigil-dur-WJQx5n/a')).toBe('/tmp/<rand>/a');
    expect(pathTemplate('/var/cache/h-ZyekYeZWDSKxQxRQc7m/x')).toBe('/var/cache/h-<rand>/x');
    expect(pathTemplate('/tmp/vigil-eval-MZxFYE/w/tool')).toBe('/tmp/<rand>/w/tool');
    expect(pathTemplate('/opt/vigil-eval-MZxFYE/tool')).toBe('/opt/vigil-eval-<rand>/tool');
    expect(pathTemplate('/usr/bin/base64')).toBe('/usr/bin/base64');
    expect(pathTemplate('/usr/bin/python3.11')).toBe('/usr/bin/python3.11');
    expect(pathTemplate('/usr/lib/PackageKit/packagekitd')).toBe('/usr/lib/PackageKit/packagekitd');
    expect(pathTemplate('/proc/1234/maps')).toBe('/proc/<n>/maps');
    expect(pathTemplate('/tmp/payload.sh')).toBe('/tmp/payload.sh');
    expect(pathTemplate('/run/user/1000/bus')).toBe('/run/user/<n>/bus');
    expect(pathTemplate('/var/lib/x/0b6c3a1e-2f8d-4a51-9b0e-3f5e2a9c7d10')).toBe('/var/lib/x/<uuid>');
    expect(dirTemplate('/home/ann/build4242/out.o')).toBe('/home/ann');
    expect(dirTemplate('/etc/cron.d/job')).toBe('/etc/cron.d');
    expect(dirTemplate('/x')).toBe('/');
  });

  it('turns variable arguments into placeholders, Drain-style', () => {
    expect(argsTemplate(['sleep', '5'])).toBe('<n>');
    expect(argsTemplate(['curl', '-m', '3', 'http://10.0.0.1/x'])).toBe('-m <n> <url>');
    expect(argsTemplate(['bash', '-c', 'echo hi'])).toBe('-c <str>');
    expect(argsTemplate(['ping', '-c1', '192.168.1.20'])).toBe('-c1 <ip>');
    expect(argsTemplate(['x', '--id=deadbeef42'])).toBe('--id=<hex>');
    expect(argsTemplate(['x', 'aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ2OTk5'])).toBe('<b64>');
    expect(argsTemplate(['ls'])).toBe('');
    expect(argsTemplate(['a', ...Array.from({ length: 20 }, () => 'v')]).endsWith('<more>')).toBe(true);
  });

  it('classes addresses', () => {
    expect(addressClass('127.0.0.1')).toBe('loopback');
    expect(addressClass('10.1.2.3')).toBe('private');
    expect(addressClass('172.20.0.1')).toBe('private');
    expect(addressClass('8.8.8.8')).toBe('public 8.8.8.0/24');
    expect(addressClass('::1')).toBe('loopback');
    expect(addressClass('::ffff:192.168.0.9')).toBe('private');
    expect(addressClass('2001:db8:1::5')).toBe('public 2001:db8:1::/48');
    expect(addressClass(undefined)).toBe('unknown');
    expect(addressClass('300.1.1.1')).toBe('unknown');
  });
});
