import { describe, expect, it } from 'vitest';
import { defaultPortOf, isServiceTarget, parseTarget, TargetParseError, withStartTls } from '../../src/model/target.js';

describe('parseTarget', () => {
  it.each([
    ['example.com', { host: 'example.com', port: null, path: '/' }],
    ['Example.COM.', { host: 'example.com', port: null, path: '/' }],
    ['example.com:8443', { host: 'example.com', port: 8443, path: '/' }],
    ['https://example.com', { host: 'example.com', port: null, path: '/' }],
    ['https://example.com:8443/login?next=1', { host: 'example.com', port: 8443, path: '/login?next=1' }],
    ['http://example.com:8080/x', { host: 'example.com', port: null, path: '/x' }],
    ['127.0.0.1', { host: '127.0.0.1', port: null, path: '/' }],
    ['127.0.0.1:4433', { host: '127.0.0.1', port: 4433, path: '/' }],
    ['::1', { host: '::1', port: null, path: '/' }],
    ['[::1]:4433', { host: '::1', port: 4433, path: '/' }],
    ['https://[::1]:4433/', { host: '::1', port: 4433, path: '/' }],
    ['_dmarc.example.com', { host: '_dmarc.example.com', port: null, path: '/' }],
    ['good.secgrade.test', { host: 'good.secgrade.test', port: null, path: '/' }],
    // IDN: the A-label, as the WHATWG URL parser (node:url domainToASCII) gives it.
    ['bücher.example', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
    ['BÜCHER.Example.', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
    ['bücher.example:8443', { host: 'xn--bcher-kva.example', port: 8443, path: '/' }],
    ['https://bücher.example:8443/kaufen?x=1', { host: 'xn--bcher-kva.example', port: 8443, path: '/kaufen?x=1' }],
    ['münchen。example', { host: 'xn--mnchen-3ya.example', port: null, path: '/' }],
    ['xn--bcher-kva.example', { host: 'xn--bcher-kva.example', port: null, path: '/' }],
  ])('%s', (input, expected) => {
    expect(parseTarget(input)).toEqual({ ...expected, input });
  });

  it.each([
    ['', /empty/],
    ['example.com:0', /out of range/],
    ['example.com:70000', /out of range/],
    ['example.com:https', /not a number/],
    ['exa mple.com', /not a host/],
    ['-bad-.com', /not a valid host name/],
    ['gopher://example.com', /unknown scheme gopher:\/\//],
    ['imap://example.com/INBOX', /no path/],
    ['imap://user@example.com', /credentials/],
    ['imap://example.com:99999', /not a valid URL/],
    ['https://user:pw@example.com', /credentials/],
    ['example.com/path', /not a host/],
    ['[zz::1]:443', /not an IPv6/],
    ['999.1.1.1', /neither a host name nor an IP/],
    ['a'.repeat(64) + '.com', /not a valid host name/],
    // Invalid IDNA: a zero-width joiner out of context, a leading combining mark, a malformed A-label.
    ['a\u200db.example', /not a valid internationalised host name/],
    ['\u0301a.example', /not a valid internationalised host name/],
    ['xn--zz.example', /not a valid internationalised host name/],
    ['https://a\u200db.example/', /not a valid URL/],
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(TargetParseError);
    expect(() => parseTarget(input)).toThrow(message);
  });
});

describe('parseTarget: service schemes', () => {
  it.each([
    ['imap://mail.example.com', { host: 'mail.example.com', port: null, scheme: 'imap', starttls: 'imap' }, 143],
    ['IMAPS://Mail.Example.com:10993', { host: 'mail.example.com', port: 10993, scheme: 'imaps', starttls: null }, 993],
    ['smtp://mx.example.com', { host: 'mx.example.com', port: null, scheme: 'smtp', starttls: 'smtp' }, 25],
    ['submission://mx.example.com', { host: 'mx.example.com', port: null, scheme: 'submission', starttls: 'smtp' }, 587],
    ['submissions://mx.example.com', { host: 'mx.example.com', port: null, scheme: 'submissions', starttls: null }, 465],
    ['smtps://mx.example.com', { host: 'mx.example.com', port: null, scheme: 'smtps', starttls: null }, 465],
    ['lmtp://127.0.0.1:2424', { host: '127.0.0.1', port: 2424, scheme: 'lmtp', starttls: 'lmtp' }, 24],
    ['pop3://mail.example.com', { host: 'mail.example.com', port: null, scheme: 'pop3', starttls: 'pop3' }, 110],
    ['pop3s://mail.example.com', { host: 'mail.example.com', port: null, scheme: 'pop3s', starttls: null }, 995],
    ['sieve://mail.example.com', { host: 'mail.example.com', port: null, scheme: 'sieve', starttls: 'sieve' }, 4190],
    ['ftp://[2001:db8::1]', { host: '2001:db8::1', port: null, scheme: 'ftp', starttls: 'ftp' }, 21],
    ['ftps://ftp.example.com', { host: 'ftp.example.com', port: null, scheme: 'ftps', starttls: null }, 990],
    ['xmpp://chat.example.com/', { host: 'chat.example.com', port: null, scheme: 'xmpp', starttls: 'xmpp' }, 5222],
    ['xmpp-server://chat.example.com', { host: 'chat.example.com', port: null, scheme: 'xmpp-server', starttls: 'xmpp-server' }, 5269],
    ['ldap://dir.example.com', { host: 'dir.example.com', port: null, scheme: 'ldap', starttls: 'ldap' }, 389],
    ['ldaps://dir.example.com', { host: 'dir.example.com', port: null, scheme: 'ldaps', starttls: null }, 636],
    ['postgres://db.example.com', { host: 'db.example.com', port: null, scheme: 'postgres', starttls: 'postgres' }, 5432],
    ['mysql://db.example.com', { host: 'db.example.com', port: null, scheme: 'mysql', starttls: 'mysql' }, 3306],
    ['nntp://news.example.com', { host: 'news.example.com', port: null, scheme: 'nntp', starttls: 'nntp' }, 119],
    ['nntps://news.example.com', { host: 'news.example.com', port: null, scheme: 'nntps', starttls: null }, 563],
    ['irc://irc.example.com', { host: 'irc.example.com', port: null, scheme: 'irc', starttls: 'irc' }, 6667],
  ] as const)('%s', (input, expected, port) => {
    const t = parseTarget(input);
    expect(t).toEqual({ ...expected, path: '/', input });
    expect(defaultPortOf(t)).toBe(port);
    expect(isServiceTarget(t)).toBe(true);
  });

  it('https:// and bare hosts stay web targets on 443', () => {
    for (const input of ['https://example.com', 'example.com', 'http://example.com']) {
      const t = parseTarget(input);
      expect(t.scheme).toBeUndefined();
      expect(isServiceTarget(t)).toBe(false);
      expect(defaultPortOf(t)).toBe(443);
    }
  });

  it('--starttls turns a host[:port] into a service target; a URL of another protocol is refused', () => {
    expect(withStartTls(parseTarget('mail.example.com:143'), 'imap')).toMatchObject({ host: 'mail.example.com', port: 143, scheme: 'imap', starttls: 'imap' });
    expect(withStartTls(parseTarget('mail.example.com'), 'submission')).toMatchObject({ scheme: 'submission', starttls: 'smtp' });
    expect(withStartTls(parseTarget('imap://mail.example.com'), 'imap')).toMatchObject({ scheme: 'imap' });
    expect(() => withStartTls(parseTarget('pop3://mail.example.com'), 'imap')).toThrow(/disagrees with --starttls imap/);
    expect(() => withStartTls(parseTarget('mail.example.com'), 'imaps')).toThrow(/not a STARTTLS protocol/);
    expect(() => withStartTls(parseTarget('mail.example.com'), 'gopher')).toThrow(/not a STARTTLS protocol/);
  });
});
