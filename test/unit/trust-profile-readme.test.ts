// The README's web-PKI rule table is the documentation users read: it must list every rule of
// src/trust/webpki.ts with the same action, and nothing else.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_RULES } from '../../src/trust/webpki.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('README: web-PKI profile rules', () => {
  const section = README.slice(README.indexOf('### Certificate path validation'));
  const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` \| (reject|note)(?: \((\w+)\))? \| [^|]+ \| ([^|]+) \|$/gm)].map((m) => ({
    id: m[1],
    action: m[2],
    severity: m[3] ?? null,
    reference: m[4]!.trim(),
  }));

  it('lists every rule once, with its action, severity and reference', () => {
    const expected = Object.values(PROFILE_RULES).map((r) => ({ id: r.id, action: r.action, severity: r.action === 'note' ? r.severity : null, reference: r.reference }));
    expect(rows).toEqual(expected);
  });

  it('every rule has a distinct id and a reference', () => {
    const ids = Object.values(PROFILE_RULES).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of Object.values(PROFILE_RULES)) expect(r.reference).toMatch(/RFC \d+|CA\/B Forum|Mozilla/);
  });
});
