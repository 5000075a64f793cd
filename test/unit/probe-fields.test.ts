// Field ownership: every report field a probe writes is declared in its `owns`, no two probes own
// the same one (so probe order never decides what a field says), and a fragment that strays outside
// what its probe owns is refused.
import { describe, expect, it } from 'vitest';
import { defineEndpointProbe, defineTargetProbe, type AnyProbe } from '../../src/engine/probe.js';
import { emptyDns, emptyTls, fieldOwners, mergeFragment } from '../../src/engine/sections.js';
import { ALL_PROBES } from '../../src/probes/index.js';

const fakeCaa = (id: string) =>
  defineTargetProbe({
    id,
    title: id,
    categories: ['cert'],
    scope: 'target',
    section: 'dns',
    owns: ['caa'],
    collect: async () => ({}),
    check: () => [],
    fields: () => ({ caa: null }),
  });

describe('field ownership over the registry', () => {
  it('ALL_PROBES: no field has two owners', () => {
    expect(() => fieldOwners(ALL_PROBES)).not.toThrow();
    const owners = fieldOwners(ALL_PROBES);
    // Every declared field is in the map, under its own probe.
    for (const p of ALL_PROBES) for (const f of p.owns as readonly string[]) expect(owners.get(`${p.section as string}.${f}`)).toBe(p);
    expect(owners.get('dns.caa')?.id).toBe('dns-caa');
    expect(owners.get('email.mxStatus')?.id).toBe('email-mx-records');
    expect(owners.get('email.mx')?.id).toBe('email-mx');
    expect(owners.get('tls.vulnerabilities.heartbleed')?.id).toBe('vuln-heartbleed');
    expect(owners.get('tls.vulnerabilities.logjam')?.id).toBe('vuln-config');
  });

  it('two probes that own the same field are refused, naming both', () => {
    const a = fakeCaa('fake-caa-a');
    const b = fakeCaa('fake-caa-b');
    expect(() => fieldOwners([a, b])).toThrow(/fake-caa-a and fake-caa-b both write dns\.caa/);
    // Also against the real owner of dns.caa.
    expect(() => fieldOwners([...ALL_PROBES, a])).toThrow(/dns-caa and fake-caa-a both write dns\.caa/);
  });

  it('a whole map and one of its entries cannot have different owners', () => {
    const whole = defineEndpointProbe({
      id: 'fake-vulns', title: 'all verdicts', categories: ['vulns'], scope: 'endpoint', section: 'tls', owns: ['vulnerabilities'],
      collect: async () => ({}), check: () => [], fields: () => ({}),
    });
    const one = defineEndpointProbe({
      id: 'fake-heartbleed', title: 'one verdict', categories: ['vulns'], scope: 'endpoint', section: 'tls', owns: ['vulnerabilities.heartbleed'],
      collect: async () => ({}), check: () => [], fields: () => ({}),
    });
    expect(() => fieldOwners([whole, one])).toThrow(/both write tls\.vulnerabilities\.heartbleed/);
    expect(() => fieldOwners([one, whole])).toThrow(/both write tls\.vulnerabilities/);
  });
});

describe('mergeFragment', () => {
  it('copies the owned fields, and merges owned verdicts into the map', () => {
    const caa = fakeCaa('fake-caa');
    expect(mergeFragment(emptyDns(), caa, { caa: null })).toEqual(emptyDns());
    const heartbleed = defineEndpointProbe({
      id: 'fake-heartbleed', title: 'hb', categories: ['vulns'], scope: 'endpoint', section: 'tls', owns: ['vulnerabilities.heartbleed'],
      collect: async () => ({}), check: () => [], fields: () => ({ vulnerabilities: { heartbleed: 'vulnerable' as const } }),
    });
    const tls = { ...emptyTls(), vulnerabilities: { robot: 'not-vulnerable' as const } };
    expect(mergeFragment(tls, heartbleed, { vulnerabilities: { heartbleed: 'vulnerable' } }).vulnerabilities).toEqual({ robot: 'not-vulnerable', heartbleed: 'vulnerable' });
  });

  it('throws when a fragment writes a field its probe does not own', () => {
    const caa = fakeCaa('fake-caa');
    expect(() => mergeFragment(emptyDns(), caa, { caa: null, status: 'ok' })).toThrow(/probe fake-caa wrote dns\.status, which it does not own/);
    const groupsOnly = defineEndpointProbe({
      id: 'fake-groups', title: 'g', categories: ['tls'], scope: 'endpoint', section: 'tls', owns: ['groups'],
      collect: async () => ({}), check: () => [], fields: () => ({ groups: [] }),
    });
    expect(() => mergeFragment(emptyTls(), groupsOnly, { groups: [], dhParameterBits: 1024 })).toThrow(/fake-groups wrote tls\.dhParameterBits/);
  });

  it('throws when a fragment writes a verdict its probe does not own', () => {
    const heartbleed = defineEndpointProbe({
      id: 'fake-heartbleed', title: 'hb', categories: ['vulns'], scope: 'endpoint', section: 'tls', owns: ['vulnerabilities.heartbleed'],
      collect: async () => ({}), check: () => [], fields: () => ({}),
    });
    expect(() => mergeFragment(emptyTls(), heartbleed, { vulnerabilities: { heartbleed: 'vulnerable', robot: 'vulnerable' } })).toThrow(
      /fake-heartbleed wrote tls\.vulnerabilities\.robot, which it does not own/,
    );
  });

  it("every registered probe's declared fields merge into its section without complaint", () => {
    // A fragment with exactly the owned top-level fields (values do not matter to ownership).
    for (const p of ALL_PROBES as readonly AnyProbe[]) {
      const owns = p.owns as readonly string[];
      const fragment: Record<string, unknown> = {};
      for (const f of owns) {
        const [top, sub] = f.split('.');
        if (sub) fragment[top!] = { ...(fragment[top!] as object), [sub]: 'unknown' };
        else fragment[top!] = null;
      }
      expect(() => mergeFragment({}, p, fragment), p.id).not.toThrow();
    }
  });
});
