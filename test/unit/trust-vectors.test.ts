// Every certificate-path vector (test/helpers/x509-vectors*.ts) through buildPath and the host-name
// match: the verdict, the error code and web-PKI rule id of each rejection, the host match of the
// host-name vectors (also through describeCertificate), and the notes of tolerated slips. Vectors the
// implementation gets wrong are `it.fails` with the analysis in KNOWN_BUGS (a fix turns them red:
// then delete the entry).
import { describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/cert/describe.js';
import { describeServedChain } from '../../src/cert/chain.js';
import { allVectors, areaOf, pathologicalVectors, runVector, type X509Vector } from '../helpers/x509-vectors.js';

/** id → why the implementation gets it wrong (file, function, rule). */
const KNOWN_BUGS: Record<string, string> = {};

const vectors = allVectors();

const codesOf = (r: ReturnType<typeof runVector>) => r.path.errors.map((e) => `${e.code}${e.ruleId ? `/${e.ruleId}` : ''}`);

function check(v: X509Vector): void {
  const run = runVector(v);
  const errors = codesOf(run);
  const what = `${v.id}: trusted=${run.path.trusted} host=${run.hostMatch} errors=[${errors.join(', ')}]`;
  expect(run.accepted, what).toBe(v.expect === 'trusted');
  if (v.expect === 'trusted') expect(errors, what).toEqual([]);
  if (v.code) expect(run.path.errors.map((e) => e.code), what).toContain(v.code);
  if (v.ruleId) expect(run.path.errors.some((e) => e.code === v.code && e.ruleId === v.ruleId), `${what}: wants ${v.code}/${v.ruleId}`).toBe(true);
  if (v.note) expect(run.path.profile.map((n) => n.rule), what).toContain(v.note);
  if (v.hostMatch !== undefined) {
    expect(run.hostMatch, what).toBe(v.hostMatch);
    const info = describeCertificate(v.served[0]!, 0, { host: v.host, now: v.now, trusted: null, trustError: null, ocspStapled: null });
    expect(info.hostnameMatch, what).toBe(v.hostMatch);
  }
  // The report's view of the same chain never throws and agrees on the host.
  const facts = describeServedChain(v.served, run.path, { host: v.host, now: v.now, index: 0, ocspStapled: false });
  if (facts.leaf) expect(facts.hostnameMatch, what).toBe(run.hostMatch);
}

const byArea = new Map<string, X509Vector[]>();
for (const v of vectors) byArea.set(areaOf(v), [...(byArea.get(areaOf(v)) ?? []), v]);

for (const [area, list] of byArea) {
  describe(`x509 vectors: ${area} (${list.length})`, () => {
    for (const v of list) {
      const t = KNOWN_BUGS[v.id] ? it.fails : it;
      t(`${v.id} → ${v.expect}`, () => check(v));
    }
  });
}

describe('x509 vectors: the set itself', () => {
  it('ids are unique and every group has a trusted twin and a rejected one', () => {
    const ids = vectors.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    const groups = new Map<string, Set<string>>();
    for (const v of vectors) groups.set(v.group, (groups.get(v.group) ?? new Set()).add(v.expect));
    const lopsided = [...groups].filter(([, e]) => e.size !== 2).map(([g]) => g);
    expect(lopsided).toEqual([]);
  });

  it('no vector throws (path, host match, report facts)', () => {
    for (const v of vectors) {
      expect(() => {
        const run = runVector(v);
        describeServedChain(v.served, run.path, { host: v.host, now: v.now, index: 0, ocspStapled: false });
      }, v.id).not.toThrow();
    }
  });

  it('every known bug names a vector', () => {
    expect(Object.keys(KNOWN_BUGS).filter((id) => !vectors.some((v) => v.id === id))).toEqual([]);
  });
});

// Wall time is not asserted (the suite never asserts absolute times): the builder's own work bounds
// (paths, signature checks, a 0.75 s deadline) and the name-constraint comparison budget end these
// with a typed error, and a zero deadline shows the deadline path is taken.
describe('x509 vectors: pathological inputs end at the work bounds with a typed error', () => {
  for (const v of pathologicalVectors()) {
    it(`${v.id} → ${v.code}`, () => {
      const run = runVector(v);
      expect(run.accepted).toBe(false);
      expect(run.path.errors.map((e) => e.code)).toContain(v.code);
    });
  }
  it('a zero time budget stops building at once with path-building-limit', () => {
    const mesh = pathologicalVectors().find((v) => v.code === 'path-building-limit')!;
    const r = runVector(mesh, { budgetMs: 0 });
    expect(r.accepted).toBe(false);
    expect(r.path.errors.map((e) => e.code)).toContain('path-building-limit');
  });
  it('cycles end with a verdict, never a hang', () => {
    for (const v of vectors.filter((x) => x.group === 'path/cycle' || x.group === 'path/cross-sign-mesh')) {
      expect(typeof runVector(v).accepted, v.id).toBe('boolean');
    }
  });
});
