// The target list of `secgrade batch`: every line form, bad lines with their numbers, CSV quoting,
// per-line flags validated as `scan` validates them, and duplicates (same target, same options).
import { describe, expect, it } from 'vitest';
import { InputError, parseLine, parseTargetList } from '../../src/batch/input.js';
import { dedupeJobs, makeJob, optionsHash, targetName } from '../../src/batch/jobs.js';
import { entrySettings, jobOptions, parseBatchFlags } from '../../src/cli/batch-flags.js';
import { UsageError } from '../../src/cli/exit.js';
import { parseScanFlags } from '../../src/cli/options.js';
import { parseTarget } from '../../src/model/target.js';

describe('plain lines', () => {
  it('reads targets, comments, blank lines, CRLF and per-line flags in both spellings', () => {
    const text = [
      '# a comment',
      '',
      'example.com',
      '  https://shop.example.org:8443/login   # trailing comment',
      'mail.example.net --checks email --dns=9.9.9.9',
      'pinned.example --ip 192.0.2.1 --ip=2001:db8::1 --sni www.pinned.example --tags prod,eu --tags edge',
      '[2001:db8::2]:443\r',
      '   \t  ',
    ].join('\n');
    const parsed = parseTargetList(text);
    expect(parsed.format).toBe('lines');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { line: 3, target: 'example.com', flags: {} },
      { line: 4, target: 'https://shop.example.org:8443/login', flags: {} },
      { line: 5, target: 'mail.example.net', flags: { checks: 'email', dns: '9.9.9.9' } },
      { line: 6, target: 'pinned.example', flags: { ip: ['192.0.2.1', '2001:db8::1'], sni: 'www.pinned.example', tags: ['prod', 'eu', 'edge'] } },
      { line: 7, target: '[2001:db8::2]:443', flags: {} },
    ]);
  });

  it.each([
    ['a.example b.example', /more than one target \("a.example b.example"\)/],
    ['a.example --timeout 5', /^--timeout cannot be set per line \(per line: --ip, --sni, --checks, --dns, --tags;/],
    ['a.example --port 8443', /^--port cannot be set per line/],
    ['a.example --bogus', /^--bogus cannot be set per line/],
    ['a.example --ip', /^--ip needs a value$/],
    ['a.example --sni --checks tls', /^--sni needs a value$/],
    ['a.example --sni=', /^--sni needs a value$/],
    ['a.example --sni a --sni b', /^--sni given twice$/],
    ['--checks tls', /^no target on the line$/],
  ])('%j is a bad line: %s', (line, message) => {
    const parsed = parseLine(line);
    expect(parsed).not.toBeNull();
    expect(parsed).toHaveProperty('error');
    expect((parsed as { error: string }).error).toMatch(message);
  });

  it('reports bad lines by number and keeps going', () => {
    const parsed = parseTargetList('ok1.example\nbad one\nok2.example --timeout 1\nok3.example\n');
    expect(parsed.entries.map((e) => [e.line, e.target])).toEqual([
      [1, 'ok1.example'],
      [4, 'ok3.example'],
    ]);
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3]);
  });
});

describe('CSV', () => {
  it('reads a header, quoted cells (commas, doubled quotes, line breaks), several IPs and tags; a BOM is ignored', () => {
    const text = [
      '\uFEFFtarget,ip,sni,checks,tags',
      'a.example,192.0.2.1,,"tls,cert","prod;eu"',
      '# a comment row',
      '"b.example","192.0.2.2 192.0.2.3",www.b.example,,',
      'c.example,,,,"say ""hi"",',
      'there"',
    ].join('\r\n');
    const parsed = parseTargetList(text);
    expect(parsed.format).toBe('csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { line: 2, target: 'a.example', flags: { ip: ['192.0.2.1'], checks: 'tls,cert', tags: ['prod', 'eu'] } },
      { line: 4, target: 'b.example', flags: { ip: ['192.0.2.2', '192.0.2.3'], sni: 'www.b.example' } },
      // The record spans lines 5-6; the tags cell held `say "hi",\nthere`.
      { line: 6, target: 'c.example', flags: { tags: ['say', '"hi"', 'there'] } },
    ]);
  });

  it('columns may come in any order and any case; only target is required', () => {
    const parsed = parseTargetList('Checks,TARGET\nemail,mail.example\n');
    expect(parsed.entries).toEqual([{ line: 2, target: 'mail.example', flags: { checks: 'email' } }]);
  });

  it('a row with the wrong number of cells or without a target is a bad line; the rest is read', () => {
    const parsed = parseTargetList('target,ip\na.example,192.0.2.1\nb.example,192.0.2.2,extra\n,192.0.2.3\nc.example,\n');
    expect(parsed.entries.map((e) => e.target)).toEqual(['a.example', 'c.example']);
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4]);
    expect(parsed.problems[1]?.message).toBe('no target in the row');
  });

  it('an unknown column fails the whole input, naming it', () => {
    expect(() => parseTargetList('target,port\na.example,443\n')).toThrow(InputError);
    expect(() => parseTargetList('target,port\na.example,443\n')).toThrow(/unknown column "port"/);
  });

  it('a plain list whose first word happens to be "target" without a comma is not CSV', () => {
    expect(parseTargetList('target.example\n').format).toBe('lines');
  });
});

describe('per-line values are validated like scan flags, and duplicates are merged', () => {
  const flags = { checks: 'tls,cert', timeout: '5000' };
  const base = parseScanFlags([], flags, false);
  const settingsOf = (text: string) => parseTargetList(text).entries.map((e) => entrySettings(e, base, flags));

  it('a line overrides the command line: its --checks, --sni, --dns; its --ip replaces', () => {
    const [plain, own] = settingsOf('a.example\nb.example --checks email --ip 192.0.2.9 --dns 127.0.0.1:5353\n');
    expect([...(plain?.checks ?? [])]).toEqual(['tls', 'cert']);
    expect(plain?.timeoutMs).toBe(5000);
    expect([...(own?.checks ?? [])]).toEqual(['email']);
    expect(own?.ips).toEqual(['192.0.2.9']);
    expect(own?.dns).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(own?.timeoutMs).toBe(5000); // the command line's, kept
  });

  it.each([
    ['a.example --checks nonsense', /^--checks: unknown check "nonsense"/],
    ['a.example --ip not-an-ip', /^--ip "not-an-ip" is not an IP address$/],
    ['a.example --dns nowhere', /^--dns: /],
    ['bad_host..example', /^bad target /],
  ])('%j: %s', (line, message) => {
    expect(() => settingsOf(line)).toThrow(UsageError);
    expect(() => settingsOf(line)).toThrow(message);
  });

  it('same target and same effective options is one job (tags joined); other options are another job', () => {
    const lines = ['A.example', 'a.example --tags x', 'a.example --checks tls,cert', 'a.example --checks tls', 'a.example:443', 'a.example --ip 192.0.2.1'];
    const entries = parseTargetList(lines.join('\n')).entries;
    const jobs = entries.map((e) => {
      const s = entrySettings(e, base, flags);
      return makeJob(s.targets[0]!, jobOptions(s), 'run1', e.line, e.flags.tags ?? []);
    });
    const { jobs: distinct, duplicates } = dedupeJobs(jobs);
    // Lines 2 and 3 repeat line 1 (upper case and the command line's own --checks are the same scan).
    expect(duplicates).toEqual([
      { line: 2, of: 1 },
      { line: 3, of: 1 },
    ]);
    expect(distinct.map((j) => j.line)).toEqual([1, 4, 5, 6]);
    expect(distinct[0]?.tags).toEqual(['x']);
    expect(new Set(distinct.map((j) => j.key)).size).toBe(4);
    expect(distinct[0]?.key).toMatch(/^a\.example\|[0-9a-f]{12}\|run1$/);
  });

  it('the options hash ignores the order flags and addresses were given in', () => {
    const a = jobOptions(parseScanFlags([], { ip: ['192.0.2.1', '192.0.2.2'], checks: 'tls,email' }, false));
    const b = jobOptions(parseScanFlags([], { ip: ['192.0.2.2', '192.0.2.1'], checks: 'email,tls' }, false));
    expect(optionsHash(a)).toBe(optionsHash(b));
    expect(optionsHash(a)).not.toBe(optionsHash(jobOptions(parseScanFlags([], { checks: 'tls' }, false))));
  });

  it('target names are normal forms', () => {
    expect(targetName(parseTarget('HTTPS://Example.COM:8443/a?b'))).toBe('example.com:8443/a?b');
    expect(targetName(parseTarget('[2001:DB8::1]:443'))).toBe('[2001:db8::1]:443');
    // Service targets keep their scheme: imap:// and pop3:// of one host are two jobs.
    expect(targetName(parseTarget('IMAP://Mail.Example.com'))).toBe('imap://mail.example.com');
    expect(targetName(parseTarget('imaps://mail.example.com:10993'))).toBe('imaps://mail.example.com:10993');
  });

  it('--starttls applies to every line of the list', () => {
    const flags = { starttls: 'pop3' };
    const base = parseScanFlags([], flags, false);
    const [plain, withSni] = parseTargetList('mail.example.com\nmail.example.com:1110 --sni mail.example.com\n').entries.map((e) => entrySettings(e, base, flags));
    expect(plain!.targets[0]).toMatchObject({ host: 'mail.example.com', scheme: 'pop3', starttls: 'pop3' });
    expect(withSni!.targets[0]).toMatchObject({ port: 1110, scheme: 'pop3', starttls: 'pop3' });
    expect(targetName(plain!.targets[0]!)).toBe('pop3://mail.example.com');
  });
});

describe('batch flags', () => {
  it('defaults are the polite ones the README documents', () => {
    const b = parseBatchFlags({});
    expect(b).toMatchObject({ targetsInFlight: 8, maxConnectionsPerHost: 4, rate: 100, graceMs: 10_000, ndjsonPath: null, outputDir: null, resume: false });
  });

  it('--output DIR/ writes results.ndjson and one file per target there; --resume names the file', () => {
    expect(parseBatchFlags({ output: 'out/' })).toMatchObject({ ndjsonPath: 'out/results.ndjson', outputDir: 'out/' });
    expect(parseBatchFlags({ resume: 'r.ndjson' })).toMatchObject({ ndjsonPath: 'r.ndjson', resume: true });
    expect(parseBatchFlags({ resume: 'r.ndjson', output: 'r.ndjson' })).toMatchObject({ ndjsonPath: 'r.ndjson' });
  });

  it.each([
    [{ targetsInFlight: '0' }, /^--targets-in-flight "0" must be a whole number between 1 and 1000$/],
    [{ maxConnectionsPerHost: 'many' }, /^--max-connections-per-host "many"/],
    [{ rate: '-1' }, /^--rate "-1"/],
    [{ format: 'json' }, /^a batch streams its results as ndjson \(--output FILE\.ndjson\); for json, add --report FILE\.json/],
    [{ resume: 'a.ndjson', output: 'b.ndjson' }, /^--resume a.ndjson appends to that file/],
    [{ output: 'dir/', outputDir: 'other' }, /^give either --output DIR\/ or --output-dir/],
  ])('%j is a usage error', (flags, message) => {
    expect(() => parseBatchFlags(flags)).toThrow(UsageError);
    expect(() => parseBatchFlags(flags)).toThrow(message);
  });
});
