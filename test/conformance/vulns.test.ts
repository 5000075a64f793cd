// secgrade's vulnerability verdicts against testssl.sh's (`-U`, every vulnerability check) on every
// conformance server. Each key must agree, or the difference is listed in VERDICT_EXCEPTIONS with
// the reason testssl.sh is wrong or the two tools deliberately answer different questions; the
// test asserts both tools say exactly what the table says, so a change on either side fails loudly.
//
// Grade letters cannot be compared: Debian's testssl.sh 3.0.8 has no rating (it arrived in 3.1),
// and no newer testssl.sh is installable here. Where testssl.sh's later rating departs from the
// SSL Labs guide, test/unit/grade-ssllabs.test.ts holds secgrade to the guide and says so.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { missingTools, runSecgrade, runTestsslVulns, TESTSSL_VULN_IDS, type TestsslVulns, type VulnVerdict } from './peers.js';
import { scanEachServer, SERVER_NAMES, SERVER_SPECS, type ServerName } from './servers.js';

const IN_CI = Boolean(process.env.CI);
const missingPeers = await missingTools(['testssl.sh']);
const SKIP = !IN_CI && missingPeers.length > 0;
if (SKIP) console.warn(`conformance: skipping the vulnerability comparison, not installed: ${missingPeers.join(', ')} (CI would fail here)`);

const CONCURRENCY = 2;
const KEYS = [...new Set(Object.values(TESTSSL_VULN_IDS))];

interface VerdictException {
  secgrade: VulnVerdict;
  /** undefined: testssl.sh reports no finding for the key at all; a list: it answers any of these from run to run. */
  testssl: VulnVerdict | undefined | ReadonlyArray<VulnVerdict | undefined>;
  why: string;
}

// testssl.sh 3.0.8 runs several vulnerability checks through the machine's OpenSSL 3 (`s_client`)
// instead of its own sockets. That OpenSSL has no export suites, refuses TLS 1.0 and 1.1 and
// 1024-bit DH at its default security level, and sends no SNI in those checks, so on servers that
// need any of this those checks answer for a server they never reached. Its own -p/-E run on the
// same servers (peers.test.ts) does see TLS 1.0, the export suites and the DH group.
const OPENSSL3_BLIND = "testssl.sh makes this check with Debian's OpenSSL 3 s_client";
const beastBlind: VerdictException = {
  secgrade: 'vulnerable',
  testssl: 'not-vulnerable',
  why: `${OPENSSL3_BLIND}, which refuses TLS 1.0 at its default security level, so it reports "no SSL3 or TLS1" although its own -p check finds TLS 1.0 accepted with CBC suites`,
};
const renegoBlind = (what: string): VerdictException => ({
  secgrade: 'not-vulnerable',
  testssl: 'unknown',
  why: `${OPENSSL3_BLIND}; its handshake fails (${what}), so it reports "OpenSSL handshake didn't succeed"; secgrade reads renegotiation_info from its own hellos`,
});

/** Every place the two tools may differ, per server and key, with the reason. */
const VERDICT_EXCEPTIONS: Partial<Record<ServerName, Partial<Record<string, VerdictException>>>> = {
  'openssl-legacy': { beast: beastBlind },
  'gnutls-legacy': { beast: beastBlind },
  'openssl-tls13': {
    sweet32: { secgrade: 'not-vulnerable', testssl: undefined, why: 'testssl.sh skips the SWEET32 check on a TLS 1.3-only server and reports nothing; TLS 1.3 has no 64-bit block ciphers' },
  },
  'openssl-dhe1024': {
    insecureRenegotiation: renegoBlind('OpenSSL 3 refuses the 1024-bit DH group at its default security level'),
    // testssl.sh detects the service (HTTP or not) with the same blind OpenSSL, so it also thinks the server speaks no HTTP.
    ticketbleed: { secgrade: 'not-vulnerable', testssl: 'unknown', why: `${OPENSSL3_BLIND} for its service detection, which fails on this server, so it reports "not applicable, not HTTP" and skips the check; secgrade's own handshake shows no session ticket, so none can leak` },
    breach: { secgrade: 'not-vulnerable', testssl: undefined, why: `${OPENSSL3_BLIND} for its service detection, which fails on this server, so it skips BREACH without a finding; secgrade's HTTP request gets an uncompressed answer` },
  },
  'nginx-dual-cert': { insecureRenegotiation: renegoBlind('without SNI nginx rejects every handshake') },
  'node-chacha': {
    clientRenegotiation: {
      secgrade: 'vulnerable',
      testssl: 'not-vulnerable',
      why: 'Node accepts client-initiated renegotiation and drops the connection after 3 in 10 minutes (tls.CLIENT_RENEG_LIMIT); secgrade reports that it is accepted at all (SSL Labs: "Secure Client-Initiated Renegotiation: Yes"), testssl.sh calls the limit "mitigated"',
    },
  },
  'sunjsse-legacy': {
    fallbackScsv: {
      secgrade: 'vulnerable',
      testssl: 'not-vulnerable',
      why: `${OPENSSL3_BLIND}, which cannot offer TLS 1.0/1.1, so it says "no protocol below TLS 1.2 offered"; SunJSSE accepts TLS 1.0 and 1.1, and accepts a TLS 1.1 hello carrying TLS_FALLBACK_SCSV (secgrade's raw hello)`,
    },
    freak: { secgrade: 'vulnerable', testssl: 'not-vulnerable', why: `${OPENSSL3_BLIND}, which has no export suites; testssl.sh's own -E run lists the server's RSA export suites` },
    ticketbleed: {
      secgrade: 'not-vulnerable',
      testssl: ['unknown', 'not-vulnerable'],
      why: 'testssl.sh\'s check is not repeatable on SunJSSE: some runs say "test failed, non reproducible results" (its three replays got different session IDs), others "not vulnerable"; secgrade\'s check completes every time and finds no padded echo of the 1-byte session ID',
    },
    logjam: { secgrade: 'vulnerable', testssl: 'not-vulnerable', why: `${OPENSSL3_BLIND}, which has no export suites; the server accepts DHE export suites (testssl.sh's -E run lists them)` },
    clientRenegotiation: {
      secgrade: 'vulnerable',
      testssl: ['vulnerable', 'not-vulnerable'],
      why: 'SunJSSE accepts client-initiated renegotiation (jdk.tls.rejectClientInitiatedRenegotiation is false by default). testssl.sh\'s verdict on an HTTP server is timing-bound: it pipes four "R" one second apart into s_client and calls a non-zero exit "not vulnerable, mitigated"; when the JDK is slow (a loaded CI machine) the pipe closes mid-renegotiation and s_client exits 1. secgrade renegotiates on its own connection and waits for the answer',
    },
  },
};

interface Run {
  secgrade: Record<string, VulnVerdict>;
  testssl: TestsslVulns;
  secgradeMs: number;
}

const runs = new Map<ServerName, Run | Error>();

describe.skipIf(SKIP)('vulnerability verdicts: secgrade vs testssl.sh -U', () => {
  beforeAll(async () => {
    const results = await scanEachServer(SERVER_NAMES, CONCURRENCY, async (server): Promise<Run> => {
      const sg = await runSecgrade(server.host, server.port, {
        sni: server.sni ?? undefined,
        probes: ['vuln-config', 'vuln-heartbleed', 'vuln-ccs-injection', 'vuln-ticketbleed', 'vuln-robot', 'vuln-client-renegotiation', 'vuln-breach'],
      });
      const report = sg.report as { endpoints?: Array<{ tls?: { vulnerabilities?: Record<string, VulnVerdict> } }> };
      const secgrade = report.endpoints?.[0]?.tls?.vulnerabilities ?? {};
      const testssl = await runTestsslVulns(server.host, server.port, { sni: server.sni });
      return { secgrade, testssl, secgradeMs: sg.durationMs };
    });
    for (const [name, run] of results) runs.set(name, run);
  }, 1_800_000);

  afterAll(() => {
    const rows = SERVER_NAMES.map((name) => {
      const r = runs.get(name);
      if (!r || r instanceof Error) return `  ${name.padEnd(16)} ${r ? r.message.split('\n')[0] : 'not run'}`;
      const vulnerable = KEYS.filter((k) => r.secgrade[k] === 'vulnerable');
      return `  ${name.padEnd(16)} secgrade ${String(r.secgradeMs).padStart(5)} ms   testssl.sh -U ${String(r.testssl.durationMs).padStart(6)} ms   vulnerable: ${vulnerable.join(', ') || 'none'}`;
    });
    console.log(`vulnerability conformance:\n${rows.join('\n')}`);
  });

  test.for(SERVER_NAMES.map((name) => [name, SERVER_SPECS[name].description] as const))('%s: %s', ([name], ctx) => {
    const run = runs.get(name);
    if (!run) throw new Error(`${name} was not scanned`);
    if (run instanceof Error) {
      if (run.message.startsWith('skip:')) return ctx.skip();
      throw run;
    }
    // Every disagreement at once (not just the first), then the documented ones exactly as documented.
    const disagreements: Record<string, string> = {};
    for (const key of KEYS) {
      const ours = run.secgrade[key];
      const theirs = run.testssl.verdicts[key];
      const exc = VERDICT_EXCEPTIONS[name]?.[key];
      if (exc) {
        const allowed = Array.isArray(exc.testssl) ? exc.testssl : [exc.testssl];
        expect(ours, `${key} (secgrade); documented: ${exc.why}`).toBe(exc.secgrade);
        expect(allowed, `${key} (testssl.sh said ${theirs}); documented: ${exc.why}`).toContain(theirs);
      } else if (ours !== theirs) {
        disagreements[key] = `secgrade ${ours}, testssl.sh ${theirs} ("${run.testssl.findings[key] ?? 'no finding'}")`;
      }
    }
    expect(disagreements).toEqual({});
  });
});
