// The raw TLS wire layer: byte readers/writers, record framing, ClientHello and SSLv2 builders,
// and never-throwing parsers for the server's first flight.
export * from './bytes.js';
export * from './constants.js';
export * from './records.js';
export * from './client-hello.js';
export * from './sslv2.js';
export * from './server-messages.js';
export * from './handshake-reader.js';
export * from './client-hello-replay.js';
