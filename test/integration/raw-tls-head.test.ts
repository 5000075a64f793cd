// rawTlsHead: one GET over the raw TLS 1.2 client against a Node https server: the head read (the
// body never), the request line and headers the server saw, the 64 KiB head cap, an aborted scan.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawTlsHead, type RawTlsHeadOptions } from '../../src/net/http/raw-tls-head.js';
import { USER_AGENT } from '../../src/net/http/pinned-request.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('rawhead');
let port: number;
const seen: Array<{ url: string | undefined; host: string | undefined; ua: string | undefined; connection: string | undefined }> = [];

beforeAll(async () => {
  const { key, cert } = local.selfSigned('site', 'ec', 'site.secgrade.test');
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    seen.push({ url: req.url, host: req.headers.host, ua: req.headers['user-agent'], connection: req.headers.connection });
    if (req.url === '/big') res.writeHead(200, { 'x-big': 'a'.repeat(70 * 1024) }).end();
    else res.writeHead(200, { 'strict-transport-security': 'max-age=600' }).end('x'.repeat(1024 * 1024));
  });
  port = await local.listen(server);
});
afterAll(() => local.stop());

const opts = (path: string, signal = new AbortController().signal): RawTlsHeadOptions => ({
  ip: '127.0.0.1',
  port,
  serverName: 'site.secgrade.test',
  authority: `site.secgrade.test:${port}`,
  path,
  timeoutMs: 5000,
  signal,
});

describe('rawTlsHead', () => {
  it('reads the status and headers of one GET, sent with Host, the User-Agent and Connection: close', async () => {
    const r = await rawTlsHead(opts('/page?q=1'));
    expect(r).toMatchObject({ ok: true, protocol: 'TLSv1.2', head: { status: 200, headers: expect.arrayContaining([['strict-transport-security', 'max-age=600']]) } });
    expect(seen.at(-1)).toEqual({ url: '/page?q=1', host: `site.secgrade.test:${port}`, ua: USER_AGENT, connection: 'close' });
  });

  it('gives up on a head over 64 KiB', async () => {
    expect(await rawTlsHead(opts('/big'))).toEqual({ ok: false, reason: 'the response head exceeds 65536 bytes' });
  });

  it('refuses a path that would break the request line, and stops when the scan is aborted', async () => {
    expect(await rawTlsHead(opts('/a b'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a request path/) });
    expect(await rawTlsHead(opts('/', AbortSignal.abort()))).toMatchObject({ ok: false, reason: expect.stringMatching(/abort/) });
  });
});
