#!/usr/bin/env node
// Converts testssl.sh's client-simulation.txt (Debian ships it as /etc/testssl/client-simulation.txt;
// its own header says most entries are SSL Labs' captures, from their getClients API) into one JSON
// profile per client under data/clients/. Only facts carry over: the captured hello bytes and the
// client's limits (protocol range, DH/RSA/ECDSA key sizes, requiresSha2). Which clients, their
// display names and how current each is are chosen here (CLIENTS below).
//
//   node scripts/gen-client-profiles.mjs [path/to/client-simulation.txt] [output folder, default data/clients]
//
// test/unit/client-profiles.test.ts regenerates from the same file when it is installed and fails on drift.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = process.argv[2] ?? '/etc/testssl/client-simulation.txt';
const PACKAGE = 'testssl.sh 3.0.8+dfsg-1 (Debian 12)';

// testssl short name → our id, name, version, platform and tier. Tier: 'current' (this capture
// still stands for a maintained client: a failure here locks out real users), 'legacy' (an older
// version or stack still met in the field), 'obsolete' (long dead). It sets findings' severity.
const CLIENTS = {
  android_442: ['android-4.4.2', 'Android', '4.4.2', 'Android', 'obsolete'],
  android_70: ['android-7.0', 'Android', '7.0', 'Android (native)', 'legacy'],
  android_81: ['android-8.1', 'Android', '8.1', 'Android (native)', 'legacy'],
  android_90: ['android-9.0', 'Android', '9.0', 'Android (native)', 'legacy'],
  android_X: ['android-10', 'Android', '10', 'Android (native)', 'legacy'],
  android_11: ['android-11', 'Android', '11', 'Android (native)', 'current'],
  android_12: ['android-12', 'Android', '12', 'Android (native)', 'current'],
  chrome_79_win10: ['chrome-79-win10', 'Chrome', '79', 'Windows 10', 'legacy'],
  chrome_101_win10: ['chrome-101-win10', 'Chrome', '101', 'Windows 10', 'current'],
  firefox_66_win81: ['firefox-66-win81', 'Firefox', '66', 'Windows 8.1/10', 'legacy'],
  firefox_100_win10: ['firefox-100-win10', 'Firefox', '100', 'Windows 10', 'current'],
  ie_6_xp: ['ie-6-xp', 'IE', '6', 'Windows XP', 'obsolete'],
  ie_8_xp: ['ie-8-xp', 'IE', '8', 'Windows XP', 'obsolete'],
  ie_8_win7: ['ie-8-win7', 'IE', '8', 'Windows 7', 'obsolete'],
  ie_11_win7: ['ie-11-win7', 'IE', '11', 'Windows 7', 'legacy'],
  ie_11_win81: ['ie-11-win81', 'IE', '11', 'Windows 8.1', 'legacy'],
  ie_11_win10: ['ie-11-win10', 'IE', '11', 'Windows 10', 'legacy'],
  edge_15_win10: ['edge-15-win10', 'Edge', '15', 'Windows 10', 'legacy'],
  edge_101_win10_21h2: ['edge-101-win10', 'Edge', '101', 'Windows 10 21H2', 'current'],
  safari_121_ios_122: ['safari-12.1-ios12.2', 'Safari', '12.1', 'iOS 12.2', 'legacy'],
  safari_130_osx_10146: ['safari-13.0-macos10.14', 'Safari', '13.0', 'macOS 10.14.6', 'legacy'],
  safari_154_osx_1231: ['safari-15.4-macos12.3', 'Safari', '15.4', 'macOS 12.3.1', 'current'],
  // Captured offering TLS 1.2 at most (SSL Labs, 2022): not what a current Apple Mail sends.
  apple_mail_16_0: ['apple-mail-16.0', 'Apple Mail', '16.0', 'macOS', 'legacy'],
  thunderbird_91_9: ['thunderbird-91.9', 'Thunderbird', '91.9', '', 'current'],
  java_6u45: ['java-6u45', 'Java', '6u45', '', 'obsolete'],
  java_7u25: ['java-7u25', 'Java', '7u25', '', 'obsolete'],
  java_8u161: ['java-8u161', 'Java', '8u161', '', 'legacy'],
  java1102: ['java-11.0.2', 'Java', '11.0.2', 'OpenJDK', 'legacy'],
  java1703: ['java-17.0.3', 'Java', '17.0.3', 'OpenJDK', 'current'],
  go_1178: ['go-1.17.8', 'Go', '1.17.8', '', 'legacy'],
  libressl_283: ['libressl-2.8.3', 'LibreSSL', '2.8.3', 'Apple', 'legacy'],
  openssl_102e: ['openssl-1.0.2e', 'OpenSSL', '1.0.2e', '', 'legacy'],
  openssl_110l: ['openssl-1.1.0l', 'OpenSSL', '1.1.0l', 'Debian', 'legacy'],
  openssl_111d: ['openssl-1.1.1d', 'OpenSSL', '1.1.1d', 'Debian', 'legacy'],
  openssl_303: ['openssl-3.0.3', 'OpenSSL', '3.0.3', '', 'current'],
};

const VERSIONS = { '0x0200': 'SSLv2', '0x0300': 'SSLv3', '0x0301': 'TLSv1.0', '0x0302': 'TLSv1.1', '0x0303': 'TLSv1.2', '0x0304': 'TLSv1.3' };

/** The `key+=(value)` lines of one client block, unquoted. */
function parseBlocks(text) {
  const blocks = [];
  let current = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(\w+)\+=\((.*)\)\s*$/.exec(line);
    if (!m) continue;
    const [, key, raw] = m;
    const value = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (key === 'names') blocks.push((current = {}));
    if (current) current[key] = value;
  }
  return blocks;
}

const bits = (v) => (v === undefined || Number(v) < 0 ? null : Number(v));

function profileOf(block, sha256) {
  const [id, name, version, platform, tier] = CLIENTS[block.short];
  const hello = block.handshakebytes.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hello) || hello.length % 2) throw new Error(`${block.short}: handshakebytes is not hex`);
  const lowest = VERSIONS[block.lowest_protocol];
  const highest = VERSIONS[block.highest_protocol];
  if (!lowest || !highest) throw new Error(`${block.short}: unknown protocol range ${block.lowest_protocol}..${block.highest_protocol}`);
  return {
    id,
    name,
    version,
    platform,
    tier,
    services: block.service.split(',').filter(Boolean),
    helloFormat: hello.startsWith('16') ? 'tls' : 'sslv2',
    hello,
    sni: block.sni !== '',
    protocols: { lowest, highest },
    limits: {
      minDhBits: bits(block.minDhBits),
      maxDhBits: bits(block.maxDhBits),
      minRsaBits: bits(block.minRsaBits),
      maxRsaBits: bits(block.maxRsaBits),
      minEcdsaBits: bits(block.minEcdsaBits),
      requiresSha2: block.requiresSha2 === 'true',
    },
    source: {
      kind: 'ssllabs-capture',
      file: 'client-simulation.txt',
      package: PACKAGE,
      sha256,
      entry: block.short,
      label: block.names,
    },
  };
}

const raw = readFileSync(SOURCE);
const sha256 = createHash('sha256').update(raw).digest('hex');
const blocks = parseBlocks(raw.toString('utf8'));
const outDir = process.argv[3] ?? join(ROOT, 'data', 'clients');
mkdirSync(outDir, { recursive: true });
let written = 0;
for (const block of blocks) {
  if (!CLIENTS[block.short]) continue;
  const profile = profileOf(block, sha256);
  writeFileSync(join(outDir, `${profile.id}.json`), `${JSON.stringify(profile, null, 2)}\n`);
  written++;
}
const missing = Object.keys(CLIENTS).filter((s) => !blocks.some((b) => b.short === s));
if (missing.length) throw new Error(`not in ${SOURCE}: ${missing.join(', ')}`);
console.log(`${written} profiles from ${SOURCE} (sha256 ${sha256})`);
