// monitor.yaml: a full config read into its typed form, and each kind of mistake refused with one
// line naming the file and the path in it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_RULES, loadMonitorConfig, parseListenAddress, parseMonitorConfig } from '../../src/monitor/config.js';

const dir = mkdtempSync(join(tmpdir(), 'secgrade-monitor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'monitor.yaml');

async function error(text: string): Promise<string> {
  try {
    await parseMonitorConfig(text, path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('monitor.yaml', () => {
  it('reads a complete config: targets and a target file, rules, notifiers, metrics, defaults', async () => {
    writeFileSync(join(dir, 'more.txt'), '# two more\nb.example --checks tls\nc.example:8443 --ip 192.0.2.7\n');
    const c = await parseMonitorConfig(
      `
store: history.db
schedule: "*/30 * * * *"
timezone: UTC
targets-in-flight: 2
defaults:
  dns: 127.0.0.1:5353
  ca-file: ca.pem
  allow-private: true
  options: { http-port: 8080 }
targets:
  - target: a.example
    schedule: "0 */6 * * *"
    checks: [tls, cert]
    options: { smtp-port: 2525 }
  - file: more.txt
    checks: http
rules:
  - rule: grade-dropped
    sections: [tls, overall]
  - rule: cert-expiry
    percent: 20
  - rule: scan-failing
notify:
  - type: webhook
    url: https://hooks.example/T0/B0/x
    format: slack
  - type: email
    smtp: smtp://mail.example:25
    from: monitor@example.com
    to: ops@example.com
metrics: ":9464"
`,
      path,
    );
    expect(c.store).toBe(join(dir, 'history.db'));
    expect(c.targetsInFlight).toBe(2);
    expect(c.defaults).toEqual({ dns: '127.0.0.1:5353', caFile: join(dir, 'ca.pem'), allowPrivate: true, options: { 'http-port': '8080' } });
    expect(c.targets).toEqual([
      { where: 'targets[0]', input: 'a.example', schedule: '0 */6 * * *', flags: { checks: 'tls,cert', options: { 'smtp-port': '2525' } } },
      { where: 'targets[1] (more.txt:2)', input: 'b.example', schedule: '*/30 * * * *', flags: { checks: 'tls' } },
      { where: 'targets[1] (more.txt:3)', input: 'c.example:8443', schedule: '*/30 * * * *', flags: { ip: ['192.0.2.7'], checks: 'http' } },
    ]);
    expect(c.rules).toEqual([
      { rule: 'grade-dropped', sections: ['tls', 'overall'] },
      { rule: 'cert-expiry', days: 0, percent: 20 },
      { rule: 'scan-failing', runs: 3 },
    ]);
    expect(c.notify).toEqual([
      { type: 'webhook', url: 'https://hooks.example/T0/B0/x', format: 'slack', timeoutMs: 10_000, attempts: 5, headers: {}, resolved: true },
      { type: 'email', smtp: 'smtp://mail.example:25', from: 'monitor@example.com', to: ['ops@example.com'], timeoutMs: 30_000, resolved: true },
    ]);
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('defaults: hourly, every rule, stdout, no metrics', async () => {
    const c = await parseMonitorConfig('targets:\n  - target: a.example\n', path);
    expect(c.schedule).toBe('0 * * * *');
    expect(c.rules).toEqual(DEFAULT_RULES);
    expect(c.notify).toEqual([{ type: 'stdout' }]);
    expect(c.metrics).toBeNull();
    expect(c.store).toBeNull();
  });

  it('names the path of each mistake, in one line', async () => {
    const t = (extra: string) => `targets:\n  - target: a.example\n  - target: b.example\n  - target: c.example\n${extra}`;
    expect(await error('targets:\n  - target: a.example\n  - target: b.example\n  - target: c.example\n    schedule: "61 * * * *"\n')).toBe(
      'monitor.yaml: targets[2].schedule: "61 * * * *" is not a cron expression (Invalid value for minute: 61)',
    );
    expect(await error(t('schedul: "* * * * *"\n'))).toBe('monitor.yaml: schedul is not a known setting');
    expect(await error('targets: []\n')).toMatch(/^monitor\.yaml: targets \[\]: expected array length/);
    expect(await error('targets:\n  - host: a.example\n')).toBe('monitor.yaml: targets[0]: needs `target: HOST` or `file: LIST`');
    expect(await error('targets:\n  - target: a.example\n    sni: 5\n')).toBe('monitor.yaml: targets[0].sni 5: expected string');
    expect(await error(t('rules:\n  - rule: grade-droped\n'))).toMatch(/^monitor\.yaml: rules\[0\]\.rule: "grade-droped" is not a rule \(one of grade-dropped, /);
    expect(await error(t('rules:\n  - rule: new-finding\n    severity: urgent\n'))).toMatch(/^monitor\.yaml: rules\[0\]\.severity "urgent": /);
    expect(await error(t('rules:\n  - rule: cert-expiry\n    percent: 0\n'))).toMatch(/^monitor\.yaml: rules\[0\]\.percent 0: expected number to be greater than 0/);
    expect(await error(t('notify:\n  - type: pager\n'))).toMatch(/^monitor\.yaml: notify\[0\]\.type: "pager" is not a notifier/);
    expect(await error(t('notify:\n  - type: webhook\n    url: ftp://x\n'))).toBe('monitor.yaml: notify[0].url: "ftp://x": only http:// and https:// URLs');
    expect(await error(t('notify:\n  - type: email\n    smtp: smtp://h\n    from: me\n    to: [ops@example.com]\n'))).toBe('monitor.yaml: notify[0].from: "me" is not an email address');
    expect(await error(t('metrics: "localhost:99999"\n'))).toBe('monitor.yaml: metrics: "localhost:99999" is not a listen address (:PORT, HOST:PORT or [IPv6]:PORT)');
    expect(await error(t('timezone: Mars/Olympus\n'))).toMatch(/^monitor\.yaml: timezone: "Mars\/Olympus" is not a time zone/);
    expect(await error('targets:\n  - file: missing.txt\n')).toBe('monitor.yaml: targets[0].file: missing.txt: ENOENT');
  });

  it('a bad line of a target file names the file and line', async () => {
    writeFileSync(join(dir, 'bad.txt'), 'a.example\nb.example --rate 5\n');
    expect(await error('targets:\n  - file: bad.txt\n')).toMatch(/^monitor\.yaml: targets\[0\]: bad\.txt:2: --rate cannot be set per line/);
  });

  it('YAML syntax errors name the line', async () => {
    expect(await error('targets:\n  - target: a.example\n   bad: [\n')).toMatch(/^monitor\.yaml:3:\d+: /);
    expect(await error('- just\n- a list\n')).toBe('monitor.yaml: expected a mapping with at least `targets:`');
  });

  it('a missing file is one line', async () => {
    await expect(loadMonitorConfig(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: ENOENT$/);
  });

  it('listen addresses: a port alone is loopback', () => {
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(9464)).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListenAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('x:65536')).toBeNull();
    expect(parseListenAddress('a b')).toBeNull();
  });
});
