// The queue's inputs as a worker reads them: the Redis URL, and job data written by `batch
// --queue` (round trip) or by anyone else with access to the database (checked field by field).
import { describe, expect, it } from 'vitest';
import { makeJob } from '../../src/batch/jobs.js';
import { parseQueueAddress } from '../../src/worker/address.js';
import { decodePayload, jobIdOf, jobScanOptions, PayloadError, toPayload } from '../../src/worker/payload.js';
import { parseTarget } from '../../src/model/target.js';

describe('parseQueueAddress', () => {
  it('reads host, port, database and credentials; hides the password in messages', () => {
    const a = parseQueueAddress('redis://worker:s3cret@queue.example:6380/4');
    expect(a.connection).toEqual({ host: 'queue.example', port: 6380, db: 4, username: 'worker', password: 's3cret' });
    expect(a.display).toBe('redis://worker@queue.example:6380/4');
    expect(parseQueueAddress('redis://[::1]').connection).toEqual({ host: '::1', port: 6379, db: 0 });
    expect(parseQueueAddress('rediss://q.example/1').connection.tls).toEqual({ servername: 'q.example' });
  });

  it.each([
    ['http://q.example/1', /scheme must be redis/],
    ['redis://q.example/db1', /database number/],
    ['redis://q.example/1?queue=x', /no query/],
    ['q.example:6379', /scheme|not a URL/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseQueueAddress(raw)).toThrow(message);
  });
});

const options = { ips: ['192.0.2.1'], sni: 'www.example.com', dns: '9.9.9.9:53', checks: ['tls'], probes: ['tls-protocols'], timeoutMs: 5000, maxEndpoints: 4, allowPrivate: false, options: new Map<string, unknown>([['httpPort', 8080]]) };
const job = makeJob(parseTarget('Example.com:8443'), options, '20261207T120000Z-abcdef', 3, ['prod']);

describe('job payload', () => {
  it('round-trips through JSON to the engine inputs and the line\'s job', () => {
    const decoded = decodePayload(JSON.parse(JSON.stringify(toPayload(job, '20261207T120000Z-abcdef'))));
    expect(decoded.info).toEqual({ key: job.key, runId: '20261207T120000Z-abcdef', input: 'example.com:8443', line: 3, tags: ['prod'] });
    expect(decoded.target).toMatchObject({ host: 'example.com', port: 8443 });
    expect(decoded.ips).toEqual(['192.0.2.1']);
    expect(decoded.dns).toEqual({ host: '9.9.9.9', port: 53 });
    expect([...decoded.checks!]).toEqual(['tls']);
    expect(decoded.probes!.map((p) => p.id)).toContain('tls-protocols');
    expect(decoded.options.get('httpPort')).toBe(8080);
  });

  it('gives BullMQ an id without ":" that maps back to the key', () => {
    const id = jobIdOf(job.key);
    expect(id).not.toContain(':');
    expect(decodeURIComponent(id)).toBe(job.key);
  });

  const good = toPayload(job, 'r');
  it.each([
    ['not an object', 'x'],
    ['an unknown version', { ...good, v: 2 }],
    ['an address that is not an IP', { ...good, ips: ['intranet.local'] }],
    ['an unknown check', { ...good, checks: ['tls', 'shell'] }],
    ['an unknown probe', { ...good, probes: ['nmap'] }],
    ['an unknown probe option', { ...good, options: [['allowPrivate', true]] }],
    ['a probe option of the wrong type', { ...good, options: [['httpPort', '80; rm']] }],
    ['a timeout out of range', { ...good, timeoutMs: 10 }],
    ['a bad target', { ...good, input: 'exa mple.com' }],
  ])('refuses job data with %s', (_what, data) => {
    expect(() => decodePayload(data)).toThrow(PayloadError);
  });
});

describe('job payload: --profile', () => {
  it('carries the profiles to the worker, keeps the job key of a run without them, refuses an unknown one', () => {
    const withProfiles = makeJob(parseTarget('Example.com:8443'), { ...options, profiles: ['mozilla-modern', 'nist-800-52r2'] }, '20261207T120000Z-abcdef', 3, []);
    expect(withProfiles.key).not.toBe(job.key);
    const payload = JSON.parse(JSON.stringify(toPayload(withProfiles, '20261207T120000Z-abcdef')));
    expect(decodePayload(payload).profiles).toEqual(['mozilla-modern', 'nist-800-52r2']);
    expect(toPayload(job, 'r')).not.toHaveProperty('profiles');
    expect(decodePayload(JSON.parse(JSON.stringify(toPayload(job, 'r')))).profiles).toEqual([]);
    expect(() => decodePayload({ ...payload, profiles: ['pci-dss'] })).toThrow(PayloadError);
  });
});

describe('job payload: --xmpp-host', () => {
  it('carries the to= domain to the worker and into the scan options; a job without it keeps its key', () => {
    const xmpp = makeJob(parseTarget('xmpp://chat.example.com'), { ...options, xmppHost: 'example.com' }, '20261207T120000Z-abcdef', 4, []);
    const plain = makeJob(parseTarget('xmpp://chat.example.com'), options, '20261207T120000Z-abcdef', 4, []);
    expect(xmpp.key).not.toBe(plain.key);
    const decoded = decodePayload(JSON.parse(JSON.stringify(toPayload(xmpp, 'r'))));
    expect(decoded.xmppHost).toBe('example.com');
    expect(jobScanOptions(decoded)).toMatchObject({ xmppHost: 'example.com' });
    expect(toPayload(plain, 'r')).not.toHaveProperty('xmppHost');
    expect(jobScanOptions(decodePayload(JSON.parse(JSON.stringify(toPayload(plain, 'r')))))).not.toHaveProperty('xmppHost');
    expect(() => decodePayload({ ...toPayload(xmpp, 'r'), xmppHost: 'bad host/' })).toThrow(PayloadError);
  });
});
