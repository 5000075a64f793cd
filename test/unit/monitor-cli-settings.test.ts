// How a monitor target's scan settings are made: the config's defaults, then the command line's
// flags, then the target's own — each value validated as `secgrade scan`'s flag is.
import { describe, expect, it } from 'vitest';
import { targetSettings } from '../../src/cli/monitor.js';
import { UsageError } from '../../src/cli/exit.js';
import { parseMonitorConfig } from '../../src/monitor/config.js';

const config = (text: string) => parseMonitorConfig(text, '/tmp/monitor.yaml');

describe('monitor target settings', () => {
  it('defaults < command line < target; probe options by flag name; names in normal form', async () => {
    const c = await config(`
defaults:
  dns: 127.0.0.1:5301
  timeout: 20000
  options: { http-port: 8080, phone-out: false }
targets:
  - target: A.Example
  - target: https://b.example:8443/app
    dns: 127.0.0.1:5303
    ip: 192.0.2.9
    checks: [tls]
    options: { http-port: 8081 }
`);
    // What commander gives for `--dns 127.0.0.1:5302` (and the default of --no-phone-out, not given).
    const { base, targets } = targetSettings(c, { dns: '127.0.0.1:5302', phoneOut: true });
    expect(base.dns).toEqual({ host: '127.0.0.1', port: 5302 });
    expect(targets.map((t) => t.name)).toEqual(['a.example', 'b.example:8443/app']);
    const [a, b] = targets.map((t) => t.settings);
    expect(a!.dns).toEqual({ host: '127.0.0.1', port: 5302 });
    expect(a!.timeoutMs).toBe(20000);
    expect(a!.options.get('httpPort')).toBe(8080);
    expect(a!.options.get('phoneOut')).toBe(false);
    expect(b!.dns).toEqual({ host: '127.0.0.1', port: 5303 });
    expect(b!.ips).toEqual(['192.0.2.9']);
    expect([...b!.checks!]).toEqual(['tls']);
    expect(b!.options.get('httpPort')).toBe(8081);
  });

  it('a bad value names the file and the target; an unknown option is refused; a target twice too', async () => {
    const bad = await config('targets:\n  - target: a.example\n  - target: b.example\n    checks: [tls, dance]\n');
    expect(() => targetSettings(bad, {})).toThrow(new UsageError('monitor.yaml: targets[1]: --checks: unknown check "dance" (any of tls,cert,vulns,http,email,simulation)'));
    const opt = await config('targets:\n  - target: a.example\n    options: { http-prt: 80 }\n');
    expect(() => targetSettings(opt, {})).toThrow(/^monitor\.yaml: targets\[0\]\.options\.http-prt is not a probe option \(one of phone-out, [a-z, -]*http-port/);
    const port = await config('targets:\n  - target: a.example\n    options: { http-port: 70000 }\n');
    expect(() => targetSettings(port, {})).toThrow(/^monitor\.yaml: targets\[0\]: --http-port "70000" must be a port number/);
    const twice = await config('targets:\n  - target: a.example\n  - target: A.EXAMPLE.\n');
    expect(() => targetSettings(twice, {})).toThrow(new UsageError('monitor.yaml: targets[1]: a.example is already monitored (targets[0])'));
  });
});
