// Every report a test produces goes through here: the JSON Schema printed by `secgrade schema`
// must accept it, checked by an independent validator (ajv), not by the library that wrote it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { reportJsonSchema, type Report } from '../../src/model/report.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(reportJsonSchema());

export let reportsValidated = 0;

export function expectValidReport(report: unknown): asserts report is Report {
  // Round-trip through JSON so what is checked is what a consumer would parse.
  const parsed: unknown = JSON.parse(JSON.stringify(report));
  const ok = validate(parsed);
  expect(ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  reportsValidated++;
}
