import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { reportJsonSchema, type Report } from '../../src/model/report.js';
import { expectValidReport } from '../helpers/schema.js';
import * as fixtures from './fixtures-reports.js';

const reports = Object.entries(fixtures).filter(
  (entry): entry is [string, Report] => typeof entry[1] === 'object' && entry[1] !== null && (entry[1] as Report).schema === 'secgrade/report@1',
);

describe('report JSON Schema', () => {
  it('has the Contract fields at the top level, all required', () => {
    const schema = reportJsonSchema() as { required: string[] };
    expect(schema.required).toEqual(
      expect.arrayContaining(['schema', 'tool', 'algorithmVersion', 'target', 'startedAt', 'durationMs', 'grades', 'endpoints', 'http', 'email', 'findings']),
    );
  });

  it.each(reports)('accepts the sample report %s', (_name, report) => {
    expectValidReport(report);
  });

  it('rejects what the Contract forbids', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(reportJsonSchema());
    const base = reports[0]![1];
    const broken: unknown[] = [
      { ...base, schema: 'secgrade/report@2' },
      { ...base, grades: { ...base.grades, tls: 'Z' } },
      { ...base, findings: [{ ...(base.findings[0] ?? {}), id: 'x', severity: 'urgent' }] },
      { ...base, findings: [{ id: 'Not A Stable Id', severity: 'low', title: 't', detail: 'd', evidence: {}, remediation: 'r', references: [] }] },
      { ...base, endpoints: [{ ip: '127.0.0.1', port: 0, tls: {}, grade: null }] },
      (({ findings: _f, ...rest }) => rest)(base),
    ];
    for (const r of broken) expect(validate(r)).toBe(false);
  });
});
