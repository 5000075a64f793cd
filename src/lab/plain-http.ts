// The lab's plain-HTTP front: one port for every lab name (virtual hosts by the Host header), doing
// what each domain's `http.plain` says — redirect to its HTTPS server, redirect to another http URL
// first, or serve the page — so the scan's http → https check has something real to judge.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LAB_DOMAINS, type LabDomain } from './domains.js';

export interface PlainHttpServer {
  port: number;
  /** Tells the front where each name's HTTPS server listens (known only once they started). */
  setHttpsPort(domain: string, port: number): void;
  /** Serves `name` as `template` does (`lab --domains N`); its redirects name `name` itself. */
  addAlias(name: string, template: string): void;
  /** The server, for listeners on other addresses to hand their connections to (bulk.ts). */
  server: http.Server;
  close(): Promise<void>;
}

const FIRST_HOP = '/http-first';

function answer(domain: LabDomain, name: string, httpsPort: number | undefined, host: string, path: string, res: http.ServerResponse): void {
  const mode = domain.http.plain ?? 'redirect';
  if (mode === 'serve') {
    const body = Buffer.from(domain.http.body ?? `<!doctype html><title>${domain.name}</title><p>plain http</p>\n`);
    for (const [name, value] of Object.entries(domain.http.headers)) res.setHeader(name, typeof value === 'string' ? value : [...value]);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    res.end(body);
    return;
  }
  if (mode === 'redirect-http-first' && path !== FIRST_HOP) {
    res.writeHead(301, { location: `http://${host}${FIRST_HOP}` });
    res.end();
    return;
  }
  if (httpsPort === undefined) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('lab server not started\n');
    return;
  }
  res.writeHead(301, { location: `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}/` });
  res.end();
}

export async function startPlainHttpServer(host: string, domains: readonly LabDomain[] = LAB_DOMAINS): Promise<PlainHttpServer> {
  const httpsPorts = new Map<string, number>();
  const byName = new Map(domains.map((d) => [d.name, d]));
  const aliases = new Map<string, LabDomain>();
  const server = http.createServer((req, res) => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const name = hostHeader.replace(/:\d+$/, '').replace(/\.$/, '');
    const domain = byName.get(name) ?? aliases.get(name);
    if (!domain) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('unknown lab host\n');
      return;
    }
    answer(domain, name, httpsPorts.get(name), hostHeader, (req.url ?? '/').split('?')[0] ?? '/', res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    setHttpsPort: (domain, port) => void httpsPorts.set(domain, port),
    addAlias: (name, template) => {
      const domain = byName.get(template);
      if (!domain) throw new Error(`lab: no domain ${template} to alias`);
      aliases.set(name, domain);
    },
    server,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
