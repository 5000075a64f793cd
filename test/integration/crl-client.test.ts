// fetchCrl against Node HTTP servers on 127.0.0.1: DER and PEM bodies, HTTP errors, redirects not
// followed, the byte cap, the deadline, http only, and the caller's lookup (address policy) asked
// for IP literals too.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCrl } from '../../src/net/crl-client.js';
import { AddressRefused } from '../../src/net/http/capped-fetch.js';
import { LocalServers } from '../helpers/local-servers.js';

const local = new LocalServers('crl-client');
const DER = Buffer.from('3003020101', 'hex');
let base: string;

beforeAll(async () => {
  const server = http.createServer((req, res) => {
    switch (req.url) {
      case '/der.crl':
        return void res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(DER);
      case '/pem.crl':
        return void res.writeHead(200).end(`-----BEGIN X509 CRL-----\n${DER.toString('base64')}\n-----END X509 CRL-----\n`);
      case '/moved.crl':
        return void res.writeHead(302, { location: 'http://elsewhere.example/x.crl' }).end();
      case '/big.crl':
        return void res.writeHead(200).end(Buffer.alloc(4096));
      case '/stall.crl':
        res.writeHead(200);
        return void res.write(Buffer.alloc(10)); // and never ends
      default:
        return void res.writeHead(404).end();
    }
  });
  base = `http://127.0.0.1:${await local.listen(server)}`;
});
afterAll(() => local.stop());

describe('fetchCrl', () => {
  it('returns a DER CRL as served, and a PEM one decoded', async () => {
    expect(await fetchCrl(`${base}/der.crl`, { timeoutMs: 3000 })).toEqual({ ok: true, der: DER });
    expect(await fetchCrl(`${base}/pem.crl`, { timeoutMs: 3000 })).toEqual({ ok: true, der: DER });
  });

  it('fails with the reason on an HTTP error, a redirect (not followed), the byte cap and https', async () => {
    expect(await fetchCrl(`${base}/missing.crl`, { timeoutMs: 3000 })).toEqual({ ok: false, reason: 'CRL server answered HTTP 404' });
    expect(await fetchCrl(`${base}/moved.crl`, { timeoutMs: 3000 })).toEqual({ ok: false, reason: 'CRL server answered HTTP 302 (redirect to http://elsewhere.example/x.crl not followed)' });
    expect(await fetchCrl(`${base}/big.crl`, { timeoutMs: 3000, maxBytes: 1024 })).toMatchObject({ ok: false, reason: expect.stringMatching(/1024-byte limit/) });
    expect(await fetchCrl('https://127.0.0.1/x.crl', { timeoutMs: 3000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/scheme https: is not http:/) });
  });

  it('gives up at its deadline on a body that stalls', async () => {
    const r = await fetchCrl(`${base}/stall.crl`, { timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/300 ms/) });
  });

  it('asks the lookup for an IP literal too, and reports its refusal', async () => {
    const asked: string[] = [];
    const refuse = async (host: string): Promise<string> => {
      asked.push(host);
      throw new AddressRefused(`${host} is a loopback address, where the scanned site may not lead the scan`);
    };
    expect(await fetchCrl(`${base}/der.crl`, { timeoutMs: 3000, lookup: refuse })).toEqual({ ok: false, reason: '127.0.0.1 is a loopback address, where the scanned site may not lead the scan' });
    expect(asked).toEqual(['127.0.0.1']);
  });
});
