// Certificate policy processing (RFC 5280 §6.1.2-§6.1.5) as a browser runs it: the user's initial
// policy set is anyPolicy and no explicit policy is asked for, so a path fails here only when a CA
// demands explicit policies (requireExplicitPolicy) and the path's policies do not carry through,
// or when a CA maps policies to or from anyPolicy. The valid_policy_tree is kept as the policy
// graph of RFC 9618 (one node per policy per level, many parents), which gives the same answer
// without the tree's exponential growth on hostile inputs.
import type { DecodedCertificate } from '../cert/decode.js';
import { ANY_POLICY } from '../cert/extensions.js';

interface PolicyNode {
  policy: string;
  expected: Set<string>;
  parents: PolicyNode[];
}

type Level = Map<string, PolicyNode>;

/**
 * The policy problem of a path, or null when it passes. `chain` is the certification path without
 * its trust anchor, top (the certificate the anchor issued) first, leaf last.
 */
export function policyViolation(chain: readonly DecodedCertificate[], selfIssued: (c: DecodedCertificate) => boolean): { index: number; detail: string } | null {
  const n = chain.length;
  let explicitPolicy = n + 1;
  let inhibitAny = n + 1;
  let policyMapping = n + 1;
  let level: Level | null = new Map([[ANY_POLICY, { policy: ANY_POLICY, expected: new Set([ANY_POLICY]), parents: [] }]]);

  for (let i = 1; i <= n; i++) {
    const cert = chain[i - 1]!;
    const policies = cert.ext.certificatePolicies;
    const isLeaf = i === n;
    if (level && policies) {
      const next: Level = new Map();
      const prev = [...level.values()];
      const anyParent = level.get(ANY_POLICY);
      for (const { oid } of policies) {
        if (oid === ANY_POLICY) continue;
        const parents = prev.filter((p) => p.expected.has(oid));
        if (parents.length > 0) next.set(oid, { policy: oid, expected: new Set([oid]), parents });
        else if (anyParent) next.set(oid, { policy: oid, expected: new Set([oid]), parents: [anyParent] });
      }
      if (policies.some((p) => p.oid === ANY_POLICY) && (inhibitAny > 0 || (!isLeaf && selfIssued(cert)))) {
        for (const p of prev) {
          for (const e of p.expected) {
            const existing = next.get(e);
            if (!existing) next.set(e, { policy: e, expected: new Set([e]), parents: [p] });
            else if (e === ANY_POLICY || !existing.parents.includes(p)) {
              // Only nodes created from the anyPolicy statement collect further parents this way.
              if (!policies.some((x) => x.oid === e)) existing.parents.push(p);
            }
          }
        }
      }
      level = next.size > 0 ? next : null;
    } else if (!policies) {
      level = null;
    }
    if (explicitPolicy === 0 && !level) {
      return { index: i - 1, detail: `No certificate policy valid for the whole path reaches "${cert.subjectText}", but a CA above requires an explicit policy (RFC 5280 §6.1.3 (f)).` };
    }
    if (isLeaf) break;

    // Preparation for the next certificate (§6.1.4).
    const mappings = cert.ext.policyMappings;
    if (mappings) {
      if (mappings.some(([from, to]) => from === ANY_POLICY || to === ANY_POLICY)) {
        return { index: i - 1, detail: `"${cert.subjectText}" maps a policy to or from anyPolicy (RFC 5280 §6.1.4 (a)).` };
      }
      if (level) {
        const byIssuer = new Map<string, Set<string>>();
        for (const [from, to] of mappings) (byIssuer.get(from) ?? byIssuer.set(from, new Set()).get(from)!).add(to);
        for (const [from, targets] of byIssuer) {
          const node = level.get(from);
          if (policyMapping > 0) {
            if (node) node.expected = targets;
            else {
              const any = level.get(ANY_POLICY);
              if (any) level.set(from, { policy: from, expected: targets, parents: any.parents });
            }
          } else if (node) {
            level.delete(from);
          }
        }
        if (level.size === 0) level = null;
      }
    }
    if (!selfIssued(cert)) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (policyMapping > 0) policyMapping--;
      if (inhibitAny > 0) inhibitAny--;
    }
    const pc = cert.ext.policyConstraints;
    if (pc?.requireExplicitPolicy != null) explicitPolicy = Math.min(explicitPolicy, pc.requireExplicitPolicy);
    if (pc?.inhibitPolicyMapping != null) policyMapping = Math.min(policyMapping, pc.inhibitPolicyMapping);
    if (cert.ext.inhibitAnyPolicy !== undefined) inhibitAny = Math.min(inhibitAny, cert.ext.inhibitAnyPolicy);
  }

  // Wrap-up (§6.1.5) for the leaf.
  const leaf = chain[n - 1];
  if (explicitPolicy > 0) explicitPolicy--;
  if (leaf?.ext.policyConstraints?.requireExplicitPolicy === 0) explicitPolicy = 0;
  if (explicitPolicy === 0 && !level) {
    return { index: n - 1, detail: 'The path has no valid certificate policy, but explicit policies are required (RFC 5280 §6.1.5).' };
  }
  return null;
}
