// Items 9 and 10 of issue 15 through the whole report path (engine → grades → text card), on
// loopback: an http-only site scanned with `--checks http` is graded and complete (the TLS probes the
// HTTP grade pulls in fail on the closed port, and change nothing); a final 404 has no HTTP letter
// and no overall letter, says why (the Observatory's refusal), and the scan is still complete.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData } from '../../src/data/reference.js';
import { optionValues } from '../../src/engine/options.js';
import { scanTarget, type ScanOptions } from '../../src/engine/scan.js';
import { parseTarget } from '../../src/model/target.js';
import { httpPortOption } from '../../src/probes/http/site.js';
import { renderText } from '../../src/render/text.js';
import { createTrustStore } from '../../src/trust/store.js';
import { LocalServers, closedPort } from '../helpers/local-servers.js';
import { expectValidReport } from '../helpers/schema.js';
import { noResolver } from '../helpers/probe-context.js';

const local = new LocalServers('http-site-report');
afterEach(() => local.closeServers());
afterAll(() => local.stop());

let creds: { key: Buffer; cert: Buffer };
beforeAll(() => {
  const files = local.selfSigned('site', 'ec', 'localhost');
  creds = { key: readFileSync(files.key), cert: readFileSync(files.cert) };
});

function options(httpPort: number): ScanOptions {
  const reference = createReferenceData();
  return {
    resolver: noResolver,
    trust: createTrustStore([creds.cert.toString()], { mozilla: () => reference.mozillaRoots() }),
    reference,
    ips: ['127.0.0.1'],
    checks: new Set(['http']),
    timeoutMs: 20_000,
    connectTimeoutMs: 2000,
    options: optionValues([[httpPortOption, httpPort]]),
  };
}

describe('the HTTP grade through the whole report', () => {
  it('item 9, --checks http on an http-only site: graded, and the scan is complete', async () => {
    const port = await closedPort();
    const httpPort = await local.listen(
      http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'prefs=1; Path=/', 'x-frame-options': 'DENY' }).end('<p>hi')),
    );
    const r = await scanTarget(parseTarget(`localhost:${port}`), options(httpPort));
    expectValidReport(r);
    expect(r.http).toMatchObject({ status: 'ok', statusCode: 200, finalUrl: `http://localhost:${httpPort}/` });
    expect(r.grades.http).not.toBeNull();
    expect(r.grades.overall).toBe(r.grades.http);
    // The certificate probe the HTTP grade asks for failed on the closed port: listed, not "incomplete".
    expect(r.probes.find((p) => p.id === 'tls-certificates')?.status).not.toBe('ok');
    expect(r).toMatchObject({ status: 'ok' });
    expect(r.incomplete).toBeUndefined();
  });

  it('item 10, a final 404: no HTTP letter and no overall letter, the reason given, the scan complete, our findings kept', async () => {
    const port = await local.listen(https.createServer({ ...creds }, (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>not found</h1>')));
    const httpPort = await local.listen(http.createServer((req, res) => res.writeHead(301, { location: `https://localhost:${port}${req.url}` }).end()));
    const r = await scanTarget(parseTarget(`localhost:${port}`), options(httpPort));
    expectValidReport(r);
    expect(r.status).toBe('ok');
    expect(r.incomplete).toBeUndefined();
    expect(r.grades).toMatchObject({ http: null, overall: null });
    expect(r.http).toMatchObject({ score: null, grade: null, observatory: null, observatoryNotGraded: { kind: 'unexpected-status', statusCode: 404 } });
    expect(r.gradeReasons?.http).toBe('the MDN Observatory does not grade this site: Site did respond with an unexpected HTTP status code 404.');
    expect(r.gradeReasons?.overall).toMatch(/http not graded by the MDN Observatory/);
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['http.csp.missing', 'http.hsts.missing']));
    // The card says "not graded" (tested, refused), never "not tested", and why.
    const card = renderText([r], { color: false, width: 200 });
    expect(card).toMatch(/http – not graded/);
    expect(card).toMatch(/overall – not decided/); // a scan that ran: undecided, not untested
    expect(card).toMatch(/HTTP {2}grade – not graded/);
    expect(card).toMatch(/observatory +not graded: Site did respond with an unexpected HTTP status code 404\./);
  });
});
