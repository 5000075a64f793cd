// A lab MX: an ESMTP server (smtp-server) on loopback that offers STARTTLS with a given key and
// certificate, or no STARTTLS at all. It greets, answers EHLO/HELO, upgrades on STARTTLS, says
// goodbye on QUIT, and politely refuses mail (MAIL FROM gets a 550): it exists to be scanned.
import net from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface LabSmtpTls {
  /** PEM key and certificate (chain): served when the client sends no SNI or an unknown name. */
  key: string;
  cert: string;
  /** Per server name (SNI, lower case): its own key and certificate chain. */
  sni?: Readonly<Record<string, { key: string; cert: string }>>;
  /** Lowest TLS version accepted (smtp-server's default is TLSv1). */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface LabSmtpServerOptions {
  /** STARTTLS key and certificate(s); null/omitted = no STARTTLS (not advertised, refused). */
  tls?: LabSmtpTls | null;
  /** The host name in the greeting and the EHLO reply (default mx.secgrade.test). */
  name?: string;
  /** Text appended to the greeting, after "ESMTP". */
  banner?: string;
  /** Loopback only (default 127.0.0.1). */
  host?: string;
  /** 0 (default) = an OS-chosen port. */
  port?: number;
  /** Advertised SIZE limit (default 10 MB). */
  size?: number;
}

export interface LabSmtpServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

export async function startLabSmtpServer(opts: LabSmtpServerOptions = {}): Promise<LabSmtpServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`the lab SMTP server listens on loopback only, not ${host}`);
  const starttls = opts.tls ?? null;
  const options: SMTPServerOptions = {
    name: opts.name ?? 'mx.secgrade.test',
    banner: opts.banner ?? 'secgrade lab MX (accepts no mail)',
    size: opts.size ?? 10 * 1024 * 1024,
    logger: false,
    // No AUTH on a lab MX; without a certificate, no STARTTLS either (hidden and refused).
    disabledCommands: starttls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideSTARTTLS: !starttls,
    authOptional: true,
    ...(starttls ? { key: starttls.key, cert: starttls.cert } : {}),
    ...(starttls?.minVersion ? { minVersion: starttls.minVersion } : {}),
    // One MX address can stand for several MX names, each with its own certificate.
    ...(starttls?.sni
      ? {
          sniOptions: new Map(
            Object.entries(starttls.sni).map(([name, c]) => [name.toLowerCase(), { key: c.key, cert: c.cert, ...(starttls.minVersion ? { minVersion: starttls.minVersion } : {}) }]),
          ),
        }
      : {}),
    socketTimeout: 30_000,
    closeTimeout: 1_000,
    maxClients: 100,
    onMailFrom(_address, _session, callback) {
      const err = Object.assign(new Error('This lab server accepts no mail'), { responseCode: 550 });
      callback(err);
    },
  };
  const server = new SMTPServer(options);
  // Scanners hang up mid-handshake on purpose; those client errors are not the lab's concern.
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    const listener = server.listen(opts.port ?? 0, host, () => {
      listener.off('error', reject);
      resolve((listener.address() as net.AddressInfo).port);
    });
    listener.once('error', reject);
  });
  let closing: Promise<void> | null = null;
  return {
    port,
    host,
    close: () => (closing ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
