// Real HTTPS (HTTP/1.1 over TLS) servers for the lab, one per catalogue domain, on loopback.
import { constants } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LabDomain } from './domains.js';
import type { KeyPairPem } from './pki.js';

export interface LabServer {
  domain: string;
  host: string;
  port: number;
  /** Stops listening and drops every open connection, including ones mid-handshake. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  domain: LabDomain;
  /** One or two (dual RSA + ECDSA) key + chain pairs; certPem holds the chain exactly as served. */
  credentials: readonly KeyPairPem[];
  /** OCSP responses (DER) to staple, each for the certificate it is about (dual servers have two). */
  staples?: ReadonlyArray<{ certDer: Buffer; response: Buffer }>;
  host?: string;
  /** A fixed port (StartLabOptions.ports); default one the system picks. */
  port?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(domain: LabDomain): string {
  if (domain.http.body !== undefined) return domain.http.body;
  const title = escapeHtml(domain.name);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1><p>${escapeHtml(domain.description)}</p></body></html>\n`;
}

/** `/` with the domain's headers, its security.txt, 404 for anything else. */
function requestHandler(domain: LabDomain): (req: IncomingMessage, res: ServerResponse) => void {
  const body = Buffer.from(page(domain));
  const securityTxt = domain.http.securityTxt === undefined ? null : Buffer.from(domain.http.securityTxt);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let out: Buffer;
    if (path === '/.well-known/security.txt') {
      res.statusCode = securityTxt ? 200 : 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      out = securityTxt ?? Buffer.from('not found\n');
    } else if (path === '/') {
      res.statusCode = domain.http.status;
      for (const [name, value] of Object.entries(domain.http.headers)) {
        res.setHeader(name, typeof value === 'string' ? value : [...value]);
      }
      const origin = req.headers.origin;
      if (domain.http.corsReflect && typeof origin === 'string') {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      out = body;
    } else {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      out = Buffer.from('not found\n');
    }
    res.setHeader('Content-Length', out.length);
    res.end(req.method === 'HEAD' ? undefined : out);
  };
}

function listen(server: https.Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('lab server: no TCP address'));
    });
  });
}

/**
 * The dhe1024 domain serves a 1024-bit group on purpose; Node warns about it on stderr at context
 * creation, which would only be noise in `secgrade demo`. Silence that one warning, there only.
 */
function withoutWeakDhWarning<T>(create: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).startsWith('DH parameter is less than')) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return create();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * An idempotent close() that also drops every open connection. closeAllConnections() only knows
 * sockets that reached HTTP; raw TCP sockets are tracked as well so handshakes and bare TLS probes
 * cannot keep close() waiting.
 */
function closer(server: https.Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }));
}

export async function startServer(opts: StartServerOptions): Promise<LabServer> {
  const host = opts.host ?? '127.0.0.1';
  const { server, close } = createServer(opts);
  const port = await listen(server, host, opts.port);
  return { domain: opts.domain.name, host, port, close };
}

/**
 * A domain's HTTPS server, not yet listening: `secgrade lab --domains N` feeds it the connections
 * of many per-address listeners (bulk.ts), so one TLS context serves every name made from it.
 */
export function createServer(opts: Omit<StartServerOptions, 'host'>): { server: https.Server; close: () => Promise<void> } {
  const { domain, credentials } = opts;
  const server = withoutWeakDhWarning(() => https.createServer(
    {
      // OpenSSL picks among several certificates by what the client's hello can verify.
      key: credentials.map((c) => c.keyPem),
      cert: credentials.map((c) => c.certPem),
      minVersion: domain.tls.minVersion,
      maxVersion: domain.tls.maxVersion,
      ciphers: domain.tls.ciphers,
      honorCipherOrder: domain.tls.honorCipherOrder,
      ...(domain.tls.dhparam ? { dhparam: domain.tls.dhparam } : {}),
      ...(domain.tls.groups ? { ecdhCurve: domain.tls.groups } : {}),
      ...(domain.tls.noRenegotiation ? { secureOptions: constants.SSL_OP_NO_RENEGOTIATION } : {}),
      ALPNProtocols: ['http/1.1'],
    },
    requestHandler(domain),
  ));
  const close = closer(server);
  // Scanners provoke failed handshakes on purpose; they are expected, not errors of the lab.
  server.on('tlsClientError', () => {});
  const staples = opts.staples ?? [];
  if (staples.length > 0) {
    server.on('OCSPRequest', (cert: Buffer, _issuer: Buffer, cb: (err: Error | null, response?: Buffer) => void) =>
      cb(null, staples.find((s) => s.certDer.equals(cert))?.response),
    );
  }
  return { server, close };
}

export interface StaticHttpsFile {
  contentType: string;
  body: string;
}

export interface StartStaticServerOptions {
  /** The host name served (e.g. mta-sts.mail-good.secgrade.test); requests for others get 421. */
  name: string;
  credentials: KeyPairPem;
  /** Path → file; any other path is 404. */
  files: Readonly<Record<string, StaticHttpsFile>>;
  host?: string;
}

/**
 * A plain HTTPS file server for one helper name of the lab (the MTA-STS policy host): modern TLS,
 * no redirects, nothing but the given files.
 */
export async function startStaticHttpsServer(opts: StartStaticServerOptions): Promise<LabServer> {
  const host = opts.host ?? '127.0.0.1';
  const name = opts.name.toLowerCase();
  const server = https.createServer(
    { key: opts.credentials.keyPem, cert: opts.credentials.certPem, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] },
    (req, res) => {
      const hostHeader = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
      const file = opts.files[(req.url ?? '/').split('?')[0] ?? '/'];
      const out = Buffer.from(hostHeader !== name ? 'misdirected request\n' : file ? file.body : 'not found\n');
      res.statusCode = hostHeader !== name ? 421 : file ? 200 : 404;
      res.setHeader('Content-Type', hostHeader === name && file ? file.contentType : 'text/plain; charset=utf-8');
      res.setHeader('Content-Length', out.length);
      res.end(req.method === 'HEAD' ? undefined : out);
    },
  );
  const close = closer(server);
  server.on('tlsClientError', () => {});
  const port = await listen(server, host);
  return { domain: name, host, port, close };
}
