// Where a queue lives: `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS). One queue
// per database: the BullMQ queue "secgrade" and the keys beside it (see store.ts) share that db.
export const QUEUE_NAME = 'secgrade';

/** What both ioredis and BullMQ take to connect. */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
}

export interface QueueAddress {
  /** The URL without its password, for messages. */
  display: string;
  connection: RedisConnection;
}

export class QueueAddressError extends Error {
  override name = 'QueueAddressError';
}

export function parseQueueAddress(raw: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new QueueAddressError(`"${raw}" is not a URL (expected redis://HOST:PORT/DB)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new QueueAddressError(`"${raw}": the scheme must be redis:// or rediss://`);
  if (!url.hostname) throw new QueueAddressError(`"${raw}" names no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new QueueAddressError(`"${raw}": the path must be a database number (redis://HOST:PORT/N)`);
  if (url.search || url.hash) throw new QueueAddressError(`"${raw}": no query or fragment is read`);
  const db = path === '' ? 0 : Number(path);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const connection: RedisConnection = {
    host,
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  const display = `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}/${db}`;
  return { display, connection };
}
