// The flow, guarded: target → resolve → plan → probes (evidence) → checks (findings) → graders
// (grades) → report → renderers. Reads the import graph of src/ and ui/ and fails on an import that
// goes the wrong way, naming the file and the import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Pure rules per field: they turn evidence into findings and never do I/O of their own. */
const DOMAINS = ['tls', 'cert', 'trust', 'ct', 'http', 'email'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

interface Edge {
  from: string;
  to: string;
}

/** Every relative import (static, dynamic, type-only) as repository paths without extension. */
function importGraph(): Edge[] {
  const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'ui'))];
  return files.flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({
        from: relative(ROOT, file).replace(/\.tsx?$/, ''),
        to: relative(ROOT, resolve(dirname(file), i.fileName)).replace(/\.(js|jsx|ts|tsx)$/, ''),
      }));
  });
}

const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

interface Rule {
  why: string;
  from: (p: string) => boolean;
  to: (p: string) => boolean;
  /** Imports allowed although they match. */
  except?: (e: Edge) => boolean;
}

const RULES: Rule[] = [
  {
    why: 'a pure check (src/<domain>) never imports a probe, the engine or a grader (grades come after findings)',
    from: (p) => DOMAINS.some((d) => under(p, `src/${d}`)),
    to: (p) => under(p, 'src/probes') || under(p, 'src/engine') || under(p, 'src/grade'),
  },
  {
    why: 'a grader does no I/O: src/grade imports no network client, probe or engine module',
    from: (p) => under(p, 'src/grade'),
    to: (p) => under(p, 'src/net') || under(p, 'src/probes') || under(p, 'src/engine'),
  },
  {
    why: 'nothing in src/ imports the terminal UI',
    from: (p) => under(p, 'src'),
    to: (p) => under(p, 'ui'),
    // The CLI starts the live UI (loaded only when a terminal asks for it).
    except: (e) => under(e.from, 'src/cli'),
  },
  {
    why: 'the engine never imports a renderer (reports leave it as data)',
    from: (p) => under(p, 'src/engine'),
    to: (p) => under(p, 'src/render') || under(p, 'src/cli'),
  },
  {
    why: 'renderers only read reports: no engine, probe or network code',
    from: (p) => under(p, 'src/render') || under(p, 'ui'),
    to: (p) => under(p, 'src/probes') || under(p, 'src/net') || under(p, 'src/grade') || (under(p, 'src/engine') && p !== 'src/engine/events'),
    // The rating guide's score tables are plain data: the card explains a score with the grader's own rows.
    except: (e) => e.to === 'src/grade/ssllabs-tables',
  },
  {
    why: 'the queue adapter sits on top of the engine: only the CLI imports src/worker',
    from: (p) => under(p, 'src') && !under(p, 'src/worker') && !under(p, 'src/cli'),
    to: (p) => under(p, 'src/worker'),
  },
  {
    why: 'src/worker is started by the CLI and imports none of it (nor the terminal UI)',
    from: (p) => under(p, 'src/worker'),
    to: (p) => under(p, 'src/cli') || under(p, 'ui'),
  },
  {
    why: 'the model (the report contract) depends on nothing else of ours',
    from: (p) => under(p, 'src/model'),
    to: (p) => !under(p, 'src/model'),
  },
  {
    why: 'wire clients know no policy: src/net imports only the model, the TLS registry and itself',
    from: (p) => under(p, 'src/net'),
    to: (p) => !under(p, 'src/net') && !under(p, 'src/model') && !under(p, 'src/tls/registry'),
  },
];

function violations(edges: readonly Edge[]): string[] {
  return RULES.flatMap((rule) =>
    edges.filter((e) => rule.from(e.from) && rule.to(e.to) && !rule.except?.(e)).map((e) => `${e.from} → ${e.to}: ${rule.why}`),
  );
}

describe('architecture', () => {
  const edges = importGraph();

  it('reads the import graph (sanity: the engine imports the probe registry)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'src/engine/scan', to: 'src/probes/index' });
  });

  it('has no import that goes against the flow', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('catches a wrong-way import (the rules are live)', () => {
    const planted: Edge[] = [
      { from: 'src/email/dmarc', to: 'src/probes/email/records' },
      { from: 'src/grade/ssllabs', to: 'src/net/tls/offer' },
      { from: 'src/http/site-checks', to: 'ui/LiveView' },
      { from: 'src/engine/scan', to: 'src/render/text' },
      { from: 'src/http/observatory/cookies', to: 'src/grade/observatory' },
      { from: 'src/engine/scan', to: 'src/worker/queue' },
      { from: 'src/worker/process', to: 'src/cli/options' },
    ];
    expect(violations(planted)).toHaveLength(7);
  });
});
